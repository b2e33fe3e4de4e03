// How much the runner asks each read for. Read views start small and grow while reads
// fill them: an idle connection holds 1 KiB of the shared decoder memory, and the pages a
// CONNACK or PINGRESP touched are shared with other connections' views; a busy one reads
// 64 KiB at a time after three reads.

/** The first and smallest read size. */
export const MIN_READ = 1024;
/** The largest read size (the decoder's largest read view). */
export const MAX_READ = 65536;

/** The size for the next read after one of `size` bytes brought `bytesRead`. */
export function nextReadSize(size: number, bytesRead: number): number {
  if (bytesRead === size) return Math.min(size * 4, MAX_READ);
  if (bytesRead <= size / 4) return Math.max(size / 2, MIN_READ);
  return size;
}
