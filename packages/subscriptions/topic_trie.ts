import { matchedFilter } from "./_match.ts";
import { validateTopicFilter } from "./topic_filter.ts";

interface Node<T> {
  /** Children by literal level. */
  children?: Map<string, Node<T>>;
  /** The child for a `+` level. */
  plus?: Node<T>;
  /** Values of filters ending with `#` at this node: they match here and below. */
  hash?: T[];
  /** Values of filters ending exactly at this node. */
  values?: T[];
}

function isEmpty<T>(node: Node<T>): boolean {
  return !node.children?.size && !node.plus && !node.hash?.length && !node.values?.length;
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
  #root: Node<T> = {};
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
    let node = this.#root;
    for (const level of matchedFilter(filter).split("/")) {
      if (level === "#") {
        (node.hash ??= []).push(value);
        this.#size++;
        return;
      }
      if (level === "+") node = node.plus ??= {};
      else {
        const children = node.children ??= new Map();
        let child = children.get(level);
        if (!child) children.set(level, child = {});
        node = child;
      }
    }
    (node.values ??= []).push(value);
    this.#size++;
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
    const path: [parent: Node<T>, level: string][] = [];
    let node: Node<T> | undefined = this.#root;
    let list: T[] | undefined;
    for (const level of matchedFilter(filter).split("/")) {
      if (level === "#") {
        list = node.hash;
        break;
      }
      path.push([node, level]);
      node = level === "+" ? node.plus : node.children?.get(level);
      if (!node) return false;
    }
    list ??= node.values;
    const index = list ? list.indexOf(value) : -1;
    if (index === -1) return false;
    list!.splice(index, 1);
    this.#size--;
    for (let i = path.length - 1; i >= 0 && isEmpty(node); i--) {
      const [parent, level] = path[i];
      if (level === "+") parent.plus = undefined;
      else parent.children!.delete(level);
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
    const levels = topic.split("/");
    const root = this.#root;
    const dollar = topic.charCodeAt(0) === 0x24;
    if (!dollar) {
      if (root.hash) pushAll(out, root.hash);
      if (root.plus) collect(root.plus, levels, 1, out);
    }
    const child = root.children?.get(levels[0]);
    if (child) collect(child, levels, 1, out);
    return out;
  }
}

function collect<T>(node: Node<T>, levels: string[], index: number, out: T[]): void {
  // "a/#" matches "a" as well as everything below it.
  if (node.hash) pushAll(out, node.hash);
  if (index === levels.length) {
    if (node.values) pushAll(out, node.values);
    return;
  }
  const child = node.children?.get(levels[index]);
  if (child) collect(child, levels, index + 1, out);
  if (node.plus) collect(node.plus, levels, index + 1, out);
}

function pushAll<T>(out: T[], values: T[]): void {
  for (let i = 0; i < values.length; i++) out.push(values[i]);
}
