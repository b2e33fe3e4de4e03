/**
 * A local AWS IoT Jobs service: the device side of the Jobs MQTT API over any broker, and a
 * small management side (create and cancel jobs) for tests and demos.
 *
 * @module
 */
import type { SimpleMqtt, SimpleMqttSubscription } from "@tern/agent";
import { jsonBytes, type JsonRecord, parseJsonObject } from "./_request_response.ts";
import type {
  JobExecution,
  JobExecutionState,
  JobExecutionStatus,
  JobExecutionSummary,
} from "./jobs_client.ts";

/** Options for {@linkcode JobsService.start}. */
export interface JobsServiceOptions {
  /** The clock, in ms; default `Date.now`. Documents carry whole seconds. */
  now?: () => number;
  /** Answers that could not be published; default `console.error`. */
  onError?: (error: unknown) => void;
}

/** Options for {@linkcode JobsService.createJob}. */
export interface CreateJobOptions {
  /** 1–64 letters, digits, `_` or `-`; unique. */
  jobId: string;
  /** The things that get an execution. */
  targets: string[];
  /** The job document (JSON, at most 32 KB). */
  document: unknown;
}

interface Execution {
  jobId: string;
  thingName: string;
  status: JobExecutionStatus;
  statusDetails?: Record<string, string>;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  versionNumber: number;
  executionNumber: number;
  document: unknown;
  stepDeadline?: number;
}

const JOB_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
const TERMINAL = new Set<JobExecutionStatus>([
  "FAILED",
  "SUCCEEDED",
  "CANCELED",
  "TIMED_OUT",
  "REJECTED",
  "REMOVED",
]);
const DEVICE_STATUSES = new Set(["IN_PROGRESS", "FAILED", "SUCCEEDED", "REJECTED"]);
const MAX_DOCUMENT_BYTES = 32 * 1024;
const MAX_LISTED = 10;
const TOPIC = /^\$aws\/things\/([^/]+)\/jobs\/(.+)$/;

class Rejection extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly executionState?: JobExecutionState,
  ) {
    super(message);
  }
}

function summary(execution: Execution): JobExecutionSummary {
  const out: JobExecutionSummary = {
    jobId: execution.jobId,
    queuedAt: execution.queuedAt,
    lastUpdatedAt: execution.lastUpdatedAt,
    versionNumber: execution.versionNumber,
    executionNumber: execution.executionNumber,
  };
  if (execution.startedAt !== undefined) out.startedAt = execution.startedAt;
  return out;
}

function full(execution: Execution, includeJobDocument = true): JobExecution {
  const out: JobExecution = {
    ...summary(execution),
    thingName: execution.thingName,
    status: execution.status,
  };
  if (execution.statusDetails) out.statusDetails = { ...execution.statusDetails };
  if (includeJobDocument) out.jobDocument = structuredClone(execution.document);
  return out;
}

function state(execution: Execution): JobExecutionState {
  const out: JobExecutionState = {
    status: execution.status,
    versionNumber: execution.versionNumber,
  };
  if (execution.statusDetails) out.statusDetails = { ...execution.statusDetails };
  return out;
}

function details(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Rejection("InvalidRequest", "statusDetails must be an object of strings");
  }
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string") {
      throw new Rejection("InvalidRequest", `statusDetails.${key} must be a string`);
    }
  }
  return { ...value as Record<string, string> };
}

function whole(body: JsonRecord, name: string): number | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new Rejection("InvalidRequest", `${name} must be a non-negative integer`);
  }
  return value as number;
}

/**
 * Answers the Jobs device MQTT API on a broker, following the AWS documentation (the
 * package README lists the rules and their sources): pending executions in order
 * (`IN_PROGRESS` first, then by queue time), start-next, describe (with `$next`), updates
 * with version checks and state rules, step timeouts, and the `notify` / `notify-next`
 * notifications when the pending list or the next execution changes. Answers and
 * notifications are published on the broker (AWS sends answers to the requester only).
 *
 * @example Queue a job and watch the device's notification
 * ```ts
 * import { JobsClient, JobsService } from "@tern/aws";
 * import { MemoryBus } from "../shadow/_memory_bus.ts";
 *
 * const bus = new MemoryBus();
 * await using service = await JobsService.start(bus.connect());
 * const jobs = new JobsClient(bus.connect(), { thingName: "lamp1" });
 * const next = Promise.withResolvers<string | undefined>();
 * await jobs.onNextJobExecutionChanged((event) => next.resolve(event.execution?.jobId));
 * await service.createJob({ jobId: "reboot", targets: ["lamp1"], document: { op: "reboot" } });
 * console.log(await next.promise); // "reboot"
 * ```
 */
export class JobsService implements AsyncDisposable {
  readonly #mqtt: SimpleMqtt;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #things = new Map<string, Execution[]>();
  readonly #jobs = new Set<string>();
  #subscription?: SimpleMqttSubscription;

  private constructor(mqtt: SimpleMqtt, options: JobsServiceOptions) {
    this.#mqtt = mqtt;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? ((error) => console.error(error));
  }

  /** Subscribes to `$aws/things/+/jobs/#`; resolves once the broker granted it. */
  static async start(mqtt: SimpleMqtt, options: JobsServiceOptions = {}): Promise<JobsService> {
    const service = new JobsService(mqtt, options);
    service.#subscription = await mqtt.subscribe(
      "$aws/things/+/jobs/#",
      (message) => void service.#handle(message.topic, message.payload),
      { qos: 1 },
    );
    return service;
  }

  /**
   * Queues an execution of a new job on each target thing, and publishes the
   * notifications that causes.
   *
   * @throws {TypeError} when the id is invalid or taken, a target is not a thing name, or
   * the document is not JSON
   * @throws {RangeError} when the document is larger than 32 KB
   */
  async createJob(options: CreateJobOptions): Promise<void> {
    const { jobId, targets } = options;
    if (typeof jobId !== "string" || !JOB_ID.test(jobId)) {
      throw new TypeError(
        `Cannot create job: job id ${
          JSON.stringify(jobId)
        } must be 1-64 letters, digits, "_" or "-"`,
      );
    }
    if (this.#jobs.has(jobId)) throw new TypeError(`Cannot create job: job "${jobId}" exists`);
    for (const target of targets) {
      if (typeof target !== "string" || !THING_NAME.test(target)) {
        throw new TypeError(
          `Cannot create job: target ${JSON.stringify(target)} is not a thing name`,
        );
      }
    }
    const text = JSON.stringify(options.document);
    if (text === undefined) throw new TypeError("Cannot create job: the document is not JSON");
    if (new TextEncoder().encode(text).length > MAX_DOCUMENT_BYTES) {
      throw new RangeError("Cannot create job: the document is larger than 32 KB");
    }
    this.#jobs.add(jobId);
    const at = this.#seconds();
    await Promise.all(
      [...new Set(targets)].map((thingName) =>
        this.#change(thingName, (executions) => {
          executions.push({
            jobId,
            thingName,
            status: "QUEUED",
            queuedAt: at,
            lastUpdatedAt: at,
            versionNumber: 1,
            executionNumber: 1,
            document: JSON.parse(text),
          });
        })
      ),
    );
  }

  /** Cancels the job: its executions that are not finished become `CANCELED`. */
  async cancelJob(jobId: string): Promise<void> {
    const at = this.#seconds();
    await Promise.all(
      [...this.#things.keys()].map((thingName) =>
        this.#change(thingName, (executions) => {
          for (const execution of executions) {
            if (execution.jobId === jobId && !TERMINAL.has(execution.status)) {
              execution.status = "CANCELED";
              execution.lastUpdatedAt = at;
              execution.versionNumber++;
              execution.stepDeadline = undefined;
            }
          }
        })
      ),
    );
  }

  /** The execution of `jobId` on `thingName`, as the device API would describe it. */
  execution(thingName: string, jobId: string): JobExecution | undefined {
    const execution = this.#things.get(thingName)?.find((e) => e.jobId === jobId);
    return execution && full(execution);
  }

  /** Unsubscribes; safe to call twice. */
  async stop(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.unsubscribe();
  }

  /** Stops the service. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #seconds(): number {
    return Math.floor(this.#now() / 1000);
  }

  #pending(thingName: string): Execution[] {
    const executions = this.#things.get(thingName) ?? [];
    return [
      ...executions.filter((e) => e.status === "IN_PROGRESS"),
      ...executions.filter((e) => e.status === "QUEUED"),
    ];
  }

  /**
   * Applies `mutate` to a thing's executions (after expiring step timers), then publishes
   * `notify` if the set of pending executions changed and `notify-next` if the next one did.
   */
  async #change<T>(thingName: string, mutate: (executions: Execution[]) => T): Promise<T> {
    const executions = this.#things.get(thingName) ?? [];
    this.#things.set(thingName, executions);
    const before = this.#pending(thingName);
    const at = this.#seconds();
    for (const execution of executions) {
      if (
        execution.status === "IN_PROGRESS" && execution.stepDeadline !== undefined &&
        execution.stepDeadline <= this.#now()
      ) {
        execution.status = "TIMED_OUT";
        execution.lastUpdatedAt = at;
        execution.versionNumber++;
        execution.stepDeadline = undefined;
      }
    }
    let result: T;
    try {
      result = mutate(executions);
    } finally {
      await this.#notify(thingName, before);
    }
    return result;
  }

  async #notify(thingName: string, before: Execution[]): Promise<void> {
    const after = this.#pending(thingName);
    const ids = (list: Execution[]) => list.map((e) => e.jobId).sort().join("\n");
    const timestamp = this.#seconds();
    const prefix = `$aws/things/${thingName}/jobs`;
    if (ids(before) !== ids(after)) {
      const jobs: Record<string, JobExecutionSummary[]> = {};
      for (const execution of after.slice(0, MAX_LISTED)) {
        (jobs[execution.status] ??= []).push(summary(execution));
      }
      await this.#publish(`${prefix}/notify`, { timestamp, jobs });
    }
    if (before[0]?.jobId !== after[0]?.jobId) {
      await this.#publish(
        `${prefix}/notify-next`,
        after[0] ? { timestamp, execution: full(after[0]) } : { timestamp },
      );
    }
  }

  async #publish(topic: string, body: unknown): Promise<void> {
    try {
      await this.#mqtt.publish(topic, jsonBytes(body), { qos: 1 });
    } catch (error) {
      this.#onError(error);
    }
  }

  async #handle(topic: string, payload: Uint8Array): Promise<void> {
    const match = TOPIC.exec(topic);
    if (!match) return;
    const [, thingName, rest] = match;
    // Answers and notifications are ours (or another service's): not requests.
    if (/(^|\/)(accepted|rejected)$/.test(rest) || rest === "notify" || rest === "notify-next") {
      return;
    }
    const body = payload.length === 0 ? {} : parseJsonObject(payload);
    const clientToken = typeof body?.clientToken === "string" ? body.clientToken : undefined;
    const echo = clientToken === undefined ? {} : { clientToken };
    let outcome: "accepted" | "rejected";
    let answer: JsonRecord;
    try {
      if (body === undefined) {
        throw new Rejection("InvalidJson", "The request is not a JSON object");
      }
      answer = {
        ...await this.#answer(thingName, rest, body),
        timestamp: this.#seconds(),
        ...echo,
      };
      outcome = "accepted";
    } catch (error) {
      if (!(error instanceof Rejection)) this.#onError(error);
      const rejection = error instanceof Rejection
        ? error
        : new Rejection("InternalError", "Internal error");
      answer = {
        code: rejection.code,
        message: rejection.message,
        timestamp: this.#seconds(),
        ...echo,
        ...(rejection.executionState && { executionState: rejection.executionState }),
      };
      outcome = "rejected";
    }
    await this.#publish(`${topic}/${outcome}`, answer);
  }

  async #answer(thingName: string, rest: string, body: JsonRecord): Promise<JsonRecord> {
    if (!THING_NAME.test(thingName)) {
      throw new Rejection("InvalidTopic", `Thing name ${thingName} is not valid`);
    }
    if (rest === "get") {
      return await this.#change(thingName, () => {
        const pending = this.#pending(thingName);
        return {
          inProgressJobs: pending.filter((e) => e.status === "IN_PROGRESS").map(summary),
          queuedJobs: pending.filter((e) => e.status === "QUEUED").map(summary),
        };
      });
    }
    if (rest === "start-next") {
      const statusDetails = details(body.statusDetails);
      const stepTimeout = whole(body, "stepTimeoutInMinutes");
      return await this.#change(thingName, () => {
        const next = this.#pending(thingName)[0];
        if (!next) return {};
        if (next.status === "QUEUED") {
          const at = this.#seconds();
          next.status = "IN_PROGRESS";
          next.startedAt = at;
          next.lastUpdatedAt = at;
          next.versionNumber++;
          if (statusDetails) next.statusDetails = statusDetails;
          if (stepTimeout !== undefined) next.stepDeadline = this.#now() + stepTimeout * 60_000;
        }
        return { execution: full(next) };
      });
    }
    const operation = /^([^/]+)\/(get|update)$/.exec(rest);
    if (!operation || !(JOB_ID.test(operation[1]) || operation[1] === "$next")) {
      throw new Rejection("InvalidTopic", `The topic does not name a Jobs operation: ${rest}`);
    }
    const [, jobId, verb] = operation;
    const executionNumber = whole(body, "executionNumber");
    const find = () => {
      const execution = this.#things.get(thingName)?.find((e) => e.jobId === jobId);
      if (
        !execution ||
        (executionNumber !== undefined && execution.executionNumber !== executionNumber)
      ) {
        throw new Rejection(
          "ResourceNotFound",
          `Job execution ${jobId} of thing ${thingName} does not exist`,
        );
      }
      return execution;
    };
    if (verb === "get") {
      const includeJobDocument = body.includeJobDocument !== false;
      return await this.#change(thingName, () => {
        if (jobId === "$next") {
          const next = this.#pending(thingName)[0];
          return next ? { execution: full(next, includeJobDocument) } : {};
        }
        const execution = find();
        if (TERMINAL.has(execution.status)) {
          throw new Rejection(
            "TerminalStateReached",
            `Job execution ${jobId} is in terminal state ${execution.status}`,
          );
        }
        return { execution: full(execution, includeJobDocument) };
      });
    }
    if (jobId === "$next") {
      throw new Rejection("InvalidTopic", "$next can only be described, not updated");
    }
    const status = body.status;
    if (typeof status !== "string" || !DEVICE_STATUSES.has(status)) {
      throw new Rejection(
        "InvalidRequest",
        "status must be IN_PROGRESS, FAILED, SUCCEEDED or REJECTED",
      );
    }
    const statusDetails = details(body.statusDetails);
    const expectedVersion = whole(body, "expectedVersion");
    const stepTimeout = whole(body, "stepTimeoutInMinutes");
    return await this.#change(thingName, () => {
      const execution = find();
      if (expectedVersion !== undefined && expectedVersion !== execution.versionNumber) {
        throw new Rejection(
          "VersionMismatch",
          `Expected version ${expectedVersion}, but the job execution is at version ${execution.versionNumber}`,
          state(execution),
        );
      }
      if (TERMINAL.has(execution.status)) {
        throw new Rejection(
          "InvalidStateTransition",
          `Job execution ${jobId} cannot change from ${execution.status} to ${status}`,
          state(execution),
        );
      }
      const at = this.#seconds();
      if (execution.status === "QUEUED") execution.startedAt = at;
      execution.status = status as JobExecutionStatus;
      execution.lastUpdatedAt = at;
      execution.versionNumber++;
      if (statusDetails) execution.statusDetails = statusDetails;
      execution.stepDeadline = TERMINAL.has(execution.status)
        ? undefined
        : stepTimeout !== undefined
        ? this.#now() + stepTimeout * 60_000
        : execution.stepDeadline;
      const answer: JsonRecord = {};
      if (body.includeJobExecutionState === true) answer.executionState = state(execution);
      if (body.includeJobDocument === true) {
        answer.jobDocument = structuredClone(execution.document);
      }
      return answer;
    });
  }
}
