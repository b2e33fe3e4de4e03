import { levelHash } from "./_level_hash.ts";
import { matchedFilter } from "./_match.ts";
import { validateTopicFilter } from "./topic_filter.ts";

/**
 * A trie node; a class with every field set, so that property access stays monomorphic.
 *
 * Matching a large subscription set is bound by memory access, so the trie keeps few
 * objects on each path: a single literal child is kept inline rather than in a `Map`; a
 * branch that holds one filter is one node whose `rest` is the rest of the filter, one
 * string (split into ordinary nodes when a second filter shares its prefix); and children
 * are found by a hash of the level computed in place, so matching never slices the topic
 * (a `Map` keyed by fresh substrings costs a string-table probe per level).
 */
class Node<T> {
  /** This node's literal level ("" for the root and `+` nodes). */
  readonly level: string;
  /** The next child of the same parent whose level has the same hash. */
  sibling: Node<T> | undefined = undefined;
  /** The levels after this one of the only filter in this branch; if set, nothing else is. */
  rest: string | undefined = undefined;
  /** The values of that filter. */
  restValues: T[] | undefined = undefined;
  /** The single literal child, while there is exactly one and no `children`. */
  onlyChild: Node<T> | undefined = undefined;
  /** Literal children by the hash of their level, once there are two or more. */
  children: Map<number, Node<T>> | undefined = undefined;
  /** The child for a `+` level. */
  plus: Node<T> | undefined = undefined;
  /** Values of filters ending with `#` at this node: they match here and below. */
  hash: T[] | undefined = undefined;
  /** Values of filters ending exactly at this node. */
  values: T[] | undefined = undefined;

  constructor(level = "") {
    this.level = level;
  }

  /** The literal child named by `text` from `start` to `end`. */
  find(text: string, start: number, end: number): Node<T> | undefined {
    const only = this.onlyChild;
    if (only) return sameLevel(only.level, text, start, end) ? only : undefined;
    if (!this.children) return undefined;
    let child = this.children.get(levelHash(text, start, end));
    while (child && !sameLevel(child.level, text, start, end)) child = child.sibling;
    return child;
  }

  child(level: string): Node<T> | undefined {
    return this.find(level, 0, level.length);
  }

  addChild(level: string): Node<T> {
    const child = new Node<T>(level);
    if (this.onlyChild) {
      this.children = new Map();
      this.#link(this.onlyChild);
      this.onlyChild = undefined;
    }
    if (this.children) this.#link(child);
    else this.onlyChild = child;
    return child;
  }

  deleteChild(level: string): void {
    if (this.onlyChild) {
      if (this.onlyChild.level === level) this.onlyChild = undefined;
      return;
    }
    const key = levelHash(level, 0, level.length);
    let child = this.children?.get(key);
    if (!child) return;
    if (child.level === level) {
      if (child.sibling) this.children!.set(key, child.sibling);
      else this.children!.delete(key);
      return;
    }
    while (child.sibling && child.sibling.level !== level) child = child.sibling;
    if (child.sibling) child.sibling = child.sibling.sibling;
  }

  #link(child: Node<T>): void {
    const key = levelHash(child.level, 0, child.level.length);
    child.sibling = this.children!.get(key);
    this.children!.set(key, child);
  }

  /** Turns a `rest` branch into an ordinary child, whose own rest holds the levels after it. */
  split(): void {
    const rest = this.rest!;
    const slash = rest.indexOf("/");
    const first = slash === -1 ? rest : rest.slice(0, slash);
    const more = slash === -1 ? undefined : rest.slice(slash + 1);
    const values = this.restValues!;
    this.rest = this.restValues = undefined;
    if (first === "#") {
      this.hash = values;
      return;
    }
    const child = first === "+" ? this.plus = new Node<T>() : this.addChild(first);
    if (more === undefined) child.values = values;
    else {
      child.rest = more;
      child.restValues = values;
    }
  }

  isEmpty(): boolean {
    return this.rest === undefined && !this.onlyChild && !this.children?.size && !this.plus &&
      !this.hash?.length &&
      !this.values?.length;
  }
}

/**
 * A multimap from topic filters to values, searched by topic name. Matching walks one
 * trie path per wildcard branch, so its cost grows with the number of levels in the topic
 * and the number of matching filters, not with the number of filters stored.
 *
 * The same value may be stored under several filters, and several values under one
 * filter; `match` returns one entry per matching (filter, value) pair. A shared
 * subscription `$share/{group}/{filter}` is stored under its `filter`.
 *
 * @typeParam T The values stored with the filters.
 *
 * @example Find the handlers for a topic
 * ```ts
 * import { TopicTrie } from "@tern/subscriptions";
 * import assert from "node:assert/strict";
 *
 * const trie = new TopicTrie<string>();
 * trie.add("sport/tennis/+", "player");
 * trie.add("sport/#", "everything");
 * trie.add("news/#", "news");
 * assert.deepEqual(trie.match("sport/tennis/player1").sort(), ["everything", "player"]);
 * trie.delete("sport/#", "everything");
 * assert.deepEqual(trie.match("sport/tennis/player1"), ["player"]);
 * ```
 */
export class TopicTrie<T> {
  #root: Node<T> = new Node();
  #size = 0;

  /** The number of (filter, value) pairs stored. */
  get size(): number {
    return this.#size;
  }

  /**
   * Stores `value` under `filter`.
   *
   * @param filter A valid topic filter, possibly a shared subscription.
   * @param value The value to return from {@linkcode TopicTrie.match}.
   * @throws {TypeError} If the filter is invalid.
   */
  add(filter: string, value: T): void {
    validateTopicFilter(filter);
    const levels = matchedFilter(filter).split("/");
    this.#size++;
    let node = this.#root;
    for (let i = 0;; i++) {
      if (node.rest !== undefined) {
        if (sameLevels(node.rest, levels, i)) return void node.restValues!.push(value);
        node.split();
      }
      if (i === levels.length) return void (node.values ??= []).push(value);
      const level = levels[i];
      if (level === "#") return void (node.hash ??= []).push(value);
      const existing = level === "+" ? node.plus : node.child(level);
      if (existing) {
        node = existing;
        continue;
      }
      const child = level === "+" ? node.plus = new Node<T>() : node.addChild(level);
      if (i + 1 === levels.length) child.values = [value];
      else {
        child.rest = levels.slice(i + 1).join("/");
        child.restValues = [value];
      }
      return;
    }
  }

  /**
   * Removes one `value` stored under `filter`, and the trie nodes nothing needs any more.
   *
   * @param filter The filter the value was added with.
   * @param value The value to remove (compared with `===`).
   * @returns Whether the pair was found.
   * @throws {TypeError} If the filter is invalid.
   */
  delete(filter: string, value: T): boolean {
    validateTopicFilter(filter);
    const levels = matchedFilter(filter).split("/");
    const path: [parent: Node<T>, level: string][] = [];
    let node: Node<T> | undefined = this.#root;
    let list: T[] | undefined;
    for (let i = 0;; i++) {
      if (node.rest !== undefined) {
        if (!sameLevels(node.rest, levels, i)) return false;
        list = node.restValues;
        break;
      }
      if (i === levels.length) {
        list = node.values;
        break;
      }
      const level = levels[i];
      if (level === "#") {
        list = node.hash;
        break;
      }
      path.push([node, level]);
      node = level === "+" ? node.plus : node.child(level);
      if (!node) return false;
    }
    const index = list ? list.indexOf(value) : -1;
    if (index === -1) return false;
    list!.splice(index, 1);
    this.#size--;
    if (node.restValues?.length === 0) node.rest = node.restValues = undefined;
    for (let i = path.length - 1; i >= 0 && node.isEmpty(); i--) {
      const [parent, level] = path[i];
      if (level === "+") parent.plus = undefined;
      else parent.deleteChild(level);
      node = parent;
    }
    return true;
  }

  /**
   * Returns the values of every filter that matches `topic`, applying the rule that
   * filters starting with a wildcard do not match topics starting with `$` [MQTT-4.7.2-1].
   *
   * The topic is not validated (it comes from the codec, which has): a topic containing
   * wildcards simply matches as if they were ordinary characters.
   *
   * @param topic A topic name.
   * @returns The matching values, in no particular order.
   */
  match(topic: string): T[] {
    const out: T[] = [];
    const root = this.#root;
    // [MQTT-4.7.2-1]
    if (topic.charCodeAt(0) !== 0x24) {
      if (root.hash) pushAll(out, root.hash);
      if (root.plus) collect(root.plus, topic, levelEnd(topic, 0) + 1, out);
    }
    step(root, topic, 0, out);
    return out;
  }
}

/** The index of the "/" that ends the level starting at `start`, or the topic's length. */
function levelEnd(topic: string, start: number): number {
  const slash = topic.indexOf("/", start);
  return slash === -1 ? topic.length : slash;
}

/**
 * Collects the values below `node` for the levels of `topic` from index `start`; a
 * `start` past the end means every level has been consumed. Levels are compared in place,
 * without splitting the topic, so matching allocates only for multi-child lookups.
 */
function collect<T>(node: Node<T>, topic: string, start: number, out: T[]): void {
  if (node.rest !== undefined) {
    if (matchRest(node.rest, topic, start)) pushAll(out, node.restValues!);
    return;
  }
  // "a/#" matches "a" as well as everything below it.
  if (node.hash) pushAll(out, node.hash);
  if (start > topic.length) {
    if (node.values) pushAll(out, node.values);
    return;
  }
  step(node, topic, start, out);
  if (node.plus) collect(node.plus, topic, levelEnd(topic, start) + 1, out);
}

/** Follows the literal child of `node` named by the level at `start`. */
function step<T>(node: Node<T>, topic: string, start: number, out: T[]): void {
  const end = levelEnd(topic, start);
  const child = node.find(topic, start, end);
  if (child) collect(child, topic, end + 1, out);
}

/** Whether `level` equals `text` from `start` to `end`. */
function sameLevel(level: string, text: string, start: number, end: number): boolean {
  return level.length === end - start && text.startsWith(level, start);
}

/** Matches the levels of a `rest` branch against the topic's levels from `start`. */
function matchRest(rest: string, topic: string, start: number): boolean {
  for (let from = 0;;) {
    const slash = rest.indexOf("/", from);
    const to = slash === -1 ? rest.length : slash;
    const wildcard = to - from === 1 ? rest.charCodeAt(from) : 0;
    if (wildcard === 0x23) return true; // "#"
    if (start > topic.length) return false;
    const end = levelEnd(topic, start);
    if (wildcard !== 0x2b) { // not "+": compare the literal level in place
      if (to - from !== end - start) return false;
      for (let k = 0; k < to - from; k++) {
        if (rest.charCodeAt(from + k) !== topic.charCodeAt(start + k)) return false;
      }
    }
    start = end + 1;
    if (slash === -1) return start > topic.length;
    from = slash + 1;
  }
}

/** Whether `rest` equals the levels from index `from` on. */
function sameLevels(rest: string, levels: string[], from: number): boolean {
  return from < levels.length && rest === levels.slice(from).join("/");
}

function pushAll<T>(out: T[], values: T[]): void {
  for (let i = 0; i < values.length; i++) out.push(values[i]);
}
