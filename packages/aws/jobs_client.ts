/**
 * The AWS IoT Jobs device API over MQTT (`$aws/things/<thing>/jobs/…`): list pending job
 * executions, start the next, describe one, update its status, and the `notify` /
 * `notify-next` notifications.
 *
 * @module
 */
import type { SimpleMqtt, SimpleMqttSubscription } from "@tern/agent";
import { type JsonRecord, parseJsonObject, request } from "./_request_response.ts";

/** The status of a job execution. */
export type JobExecutionStatus =
  | "QUEUED"
  | "IN_PROGRESS"
  | "FAILED"
  | "SUCCEEDED"
  | "CANCELED"
  | "TIMED_OUT"
  | "REJECTED"
  | "REMOVED";

/** The statuses a device may set with {@linkcode JobsClient.updateJobExecution}. */
export type DeviceJobStatus = "IN_PROGRESS" | "FAILED" | "SUCCEEDED" | "REJECTED";

/** A job execution's summary, as in the pending list and `notify`. */
export interface JobExecutionSummary {
  /** The job's id. */
  jobId: string;
  /** Epoch seconds. */
  queuedAt: number;
  /** Epoch seconds; absent until started. */
  startedAt?: number;
  /** Epoch seconds. */
  lastUpdatedAt: number;
  /** Incremented by every change; what `expectedVersion` is compared with. */
  versionNumber: number;
  /** Which execution of the job on this thing (1 for the first). */
  executionNumber: number;
}

/** A job execution in full. */
export interface JobExecution extends JobExecutionSummary {
  /** The thing it runs on. */
  thingName: string;
  /** Its status. */
  status: JobExecutionStatus;
  /** Name-value pairs the device reported. */
  statusDetails?: Record<string, string>;
  /** The job document (absent when not asked for). */
  jobDocument?: unknown;
}

/** A job execution's state, as UpdateJobExecution and errors report it. */
export interface JobExecutionState {
  /** Its status. */
  status: JobExecutionStatus;
  /** Name-value pairs the device reported. */
  statusDetails?: Record<string, string>;
  /** Its version. */
  versionNumber: number;
}

/** The error document of every Jobs `/rejected` topic. */
export interface JobsErrorDocument {
  /** `InvalidTopic`, `InvalidJson`, `InvalidRequest`, `InvalidStateTransition`, `ResourceNotFound`, `VersionMismatch`, `InternalError`, `RequestThrottled` or `TerminalStateReached`. */
  code: string;
  /** What went wrong, in words. */
  message: string;
  /** The current state, with `InvalidStateTransition` and `VersionMismatch`. */
  executionState?: JobExecutionState;
}

/**
 * A Jobs request was rejected; `code`, `message` and `executionState` are the service's.
 *
 * @example Recover the current version from a version mismatch
 * ```ts
 * import { JobsError } from "@tern/aws";
 *
 * const error = new JobsError("update job execution", {
 *   code: "VersionMismatch",
 *   message: "Expected version 1, current version 2",
 *   executionState: { status: "IN_PROGRESS", versionNumber: 2 },
 * });
 * console.log(error.code, error.executionState?.versionNumber); // "VersionMismatch" 2
 * ```
 */
export class JobsError extends Error {
  /** The service's error code. */
  readonly code: string;
  /** The current execution state, when the service sent it. */
  readonly executionState?: JobExecutionState;

  /** Creates the error for `action` from the service's error document. */
  constructor(action: string, document: JobsErrorDocument) {
    super(`Cannot ${action}: ${document.code}: ${document.message}`);
    this.name = "JobsError";
    this.code = document.code;
    if (document.executionState) this.executionState = document.executionState;
  }
}

/** The pending job executions of a thing. */
export interface PendingJobExecutions {
  /** The executions in progress, oldest first. */
  inProgressJobs: JobExecutionSummary[];
  /** The executions queued, oldest first. */
  queuedJobs: JobExecutionSummary[];
}

/** A `notify` message: the pending list changed. */
export interface JobExecutionsChangedEvent {
  /** Pending executions by status (`IN_PROGRESS`, `QUEUED`); `{}` when none are left. */
  jobs: Partial<Record<"IN_PROGRESS" | "QUEUED", JobExecutionSummary[]>>;
  /** When it was sent, in epoch seconds. */
  timestamp: number;
}

/** A `notify-next` message: the next execution changed. */
export interface NextJobExecutionChangedEvent {
  /** The new next execution; absent when nothing is pending. */
  execution?: JobExecution;
  /** When it was sent, in epoch seconds. */
  timestamp: number;
}

/** Options for one request. */
export interface JobsRequestOptions {
  /** Rejects with the signal's reason when aborted. */
  signal?: AbortSignal;
  /** Overrides the client's timeout, in milliseconds. */
  timeoutMs?: number;
}

/** Options for {@linkcode JobsClient.updateJobExecution}. */
export interface UpdateJobExecutionOptions extends JobsRequestOptions {
  /** The new status. */
  status: DeviceJobStatus;
  /** Replaces the status details; unchanged when absent. */
  statusDetails?: Record<string, string>;
  /** Apply only if the execution's `versionNumber` equals this (else `VersionMismatch`). */
  expectedVersion?: number;
  /** Which execution; the latest when absent. */
  executionNumber?: number;
  /** Answer with the new `executionState`. */
  includeJobExecutionState?: boolean;
  /** Answer with the `jobDocument`. */
  includeJobDocument?: boolean;
  /** Start (or restart) a step timer; the execution times out if not updated in time. */
  stepTimeoutInMinutes?: number;
}

/** Options for {@linkcode JobsClient}. */
export interface JobsClientOptions {
  /** The thing whose jobs these are. */
  thingName: string;
  /** How long a request waits for its answer; default 10000 ms. */
  timeoutMs?: number;
}

const JOB_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

function checkJobId(action: string, jobId: unknown, allowNext: boolean): string {
  if (typeof jobId === "string" && (JOB_ID.test(jobId) || (allowNext && jobId === "$next"))) {
    return jobId;
  }
  throw new TypeError(
    `Cannot ${action}: job id ${JSON.stringify(jobId)} must be 1-64 letters, digits, "_" or "-"${
      allowNext ? ' (or "$next")' : ""
    }`,
  );
}

function checkDetails(action: string, details: unknown): void {
  if (details === undefined) return;
  if (typeof details !== "object" || details === null || Array.isArray(details)) {
    throw new TypeError(`Cannot ${action}: statusDetails must be an object of strings`);
  }
  for (const [key, value] of Object.entries(details)) {
    if (typeof value !== "string") {
      throw new TypeError(`Cannot ${action}: statusDetails "${key}" must be a string`);
    }
  }
}

function checkWhole(action: string, name: string, value: unknown): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || (value as number) < 0)) {
    throw new RangeError(`Cannot ${action}: ${name} must be a non-negative integer, got ${value}`);
  }
}

/**
 * A client of the Jobs service for one thing. Each request carries a generated
 * `clientToken` and settles with the answer that echoes it, so requests may overlap.
 *
 * @example A device runs its next job (against the local service, in memory)
 * ```ts
 * import { JobsClient, JobsService } from "@tern/aws";
 * import { MemoryBus } from "../shadow/_memory_bus.ts";
 *
 * const bus = new MemoryBus();
 * await using service = await JobsService.start(bus.connect());
 * service.createJob({ jobId: "update-firmware", targets: ["lamp1"], document: { version: "2.1" } });
 *
 * const jobs = new JobsClient(bus.connect(), { thingName: "lamp1" });
 * const execution = await jobs.startNextPendingJobExecution();
 * console.log(execution?.jobId, execution?.status); // "update-firmware" "IN_PROGRESS"
 * await jobs.updateJobExecution(execution!.jobId, {
 *   status: "SUCCEEDED",
 *   expectedVersion: execution!.versionNumber,
 * });
 * console.log(await jobs.getPendingJobExecutions()); // { inProgressJobs: [], queuedJobs: [] }
 * ```
 */
export class JobsClient {
  /** The thing whose jobs these are. */
  readonly thingName: string;
  readonly #mqtt: SimpleMqtt;
  readonly #timeoutMs: number;

  /**
   * Creates the client; nothing is subscribed until first use.
   *
   * @throws {TypeError} when the thing name is invalid
   */
  constructor(mqtt: SimpleMqtt, options: JobsClientOptions) {
    if (typeof options.thingName !== "string" || !THING_NAME.test(options.thingName)) {
      throw new TypeError(
        `Cannot create jobs client: thing name ${
          JSON.stringify(options.thingName)
        } must be 1-128 letters, digits, ":", "_" or "-"`,
      );
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new RangeError(
        `Invalid jobs client option: timeoutMs must be positive, got ${timeoutMs}`,
      );
    }
    this.#mqtt = mqtt;
    this.thingName = options.thingName;
    this.#timeoutMs = timeoutMs;
  }

  /** GetPendingJobExecutions: the executions that are `IN_PROGRESS` or `QUEUED`. */
  async getPendingJobExecutions(options: JobsRequestOptions = {}): Promise<PendingJobExecutions> {
    const answer = await this.#request("get pending job executions", "get", {}, options);
    return {
      inProgressJobs: (answer.inProgressJobs ?? []) as JobExecutionSummary[],
      queuedJobs: (answer.queuedJobs ?? []) as JobExecutionSummary[],
    };
  }

  /**
   * StartNextPendingJobExecution: the next pending execution (an `IN_PROGRESS` one first,
   * else the oldest `QUEUED`, which becomes `IN_PROGRESS`); `undefined` when none is pending.
   */
  async startNextPendingJobExecution(
    options: JobsRequestOptions & {
      statusDetails?: Record<string, string>;
      stepTimeoutInMinutes?: number;
    } = {},
  ): Promise<JobExecution | undefined> {
    const action = "start next pending job execution";
    checkDetails(action, options.statusDetails);
    checkWhole(action, "stepTimeoutInMinutes", options.stepTimeoutInMinutes);
    const answer = await this.#request(action, "start-next", {
      statusDetails: options.statusDetails,
      stepTimeoutInMinutes: options.stepTimeoutInMinutes,
    }, options);
    return answer.execution as JobExecution | undefined;
  }

  /**
   * DescribeJobExecution: one execution, or with `"$next"` the next pending one
   * (`undefined` when none is pending).
   *
   * @throws {TypeError} when the job id is invalid
   */
  async describeJobExecution(
    jobId: string,
    options: JobsRequestOptions & { executionNumber?: number; includeJobDocument?: boolean } = {},
  ): Promise<JobExecution | undefined> {
    const action = "describe job execution";
    const id = checkJobId(action, jobId, true);
    checkWhole(action, "executionNumber", options.executionNumber);
    const answer = await this.#request(action, `${id}/get`, {
      executionNumber: options.executionNumber,
      includeJobDocument: options.includeJobDocument,
    }, options);
    return answer.execution as JobExecution | undefined;
  }

  /**
   * UpdateJobExecution: sets the status (and details) of an execution, optionally only
   * if its version is `expectedVersion`.
   *
   * @throws {TypeError} when the job id, status or details are invalid
   * @throws {RangeError} when a number option is not a non-negative integer
   */
  async updateJobExecution(
    jobId: string,
    options: UpdateJobExecutionOptions,
  ): Promise<{ executionState?: JobExecutionState; jobDocument?: unknown }> {
    const action = "update job execution";
    const id = checkJobId(action, jobId, false);
    if (!["IN_PROGRESS", "FAILED", "SUCCEEDED", "REJECTED"].includes(options.status)) {
      throw new TypeError(
        `Cannot ${action}: status ${
          JSON.stringify(options.status)
        } must be IN_PROGRESS, FAILED, SUCCEEDED or REJECTED`,
      );
    }
    checkDetails(action, options.statusDetails);
    checkWhole(action, "expectedVersion", options.expectedVersion);
    checkWhole(action, "executionNumber", options.executionNumber);
    checkWhole(action, "stepTimeoutInMinutes", options.stepTimeoutInMinutes);
    const answer = await this.#request(action, `${id}/update`, {
      status: options.status,
      statusDetails: options.statusDetails,
      expectedVersion: options.expectedVersion,
      executionNumber: options.executionNumber,
      includeJobExecutionState: options.includeJobExecutionState,
      includeJobDocument: options.includeJobDocument,
      stepTimeoutInMinutes: options.stepTimeoutInMinutes,
    }, options);
    const result: { executionState?: JobExecutionState; jobDocument?: unknown } = {};
    if (answer.executionState) result.executionState = answer.executionState as JobExecutionState;
    if (answer.jobDocument !== undefined) result.jobDocument = answer.jobDocument;
    return result;
  }

  /**
   * Calls `listener` with every `notify` message (the pending list changed); resolves once
   * subscribed, with a function that unsubscribes.
   */
  async onJobExecutionsChanged(
    listener: (event: JobExecutionsChangedEvent) => void,
  ): Promise<() => Promise<void>> {
    return await this.#listen("notify", listener);
  }

  /**
   * Calls `listener` with every `notify-next` message (the next execution changed, or
   * nothing is pending any more); resolves once subscribed, with a function that
   * unsubscribes.
   */
  async onNextJobExecutionChanged(
    listener: (event: NextJobExecutionChangedEvent) => void,
  ): Promise<() => Promise<void>> {
    return await this.#listen("notify-next", listener);
  }

  async #listen<T>(suffix: string, listener: (event: T) => void): Promise<() => Promise<void>> {
    const subscription: SimpleMqttSubscription = await this.#mqtt.subscribe(
      `$aws/things/${this.thingName}/jobs/${suffix}`,
      (message) => {
        const body = parseJsonObject(message.payload);
        if (!body) return;
        try {
          listener(body as T);
        } catch (error) {
          // Logged, not reportError(): on Deno that ends the process, and a listener's
          // mistake must not end the application or this subscription.
          console.error(error);
        }
      },
      { qos: 1 },
    );
    return () => subscription.unsubscribe();
  }

  async #request(
    action: string,
    suffix: string,
    fields: JsonRecord,
    options: JobsRequestOptions,
  ): Promise<JsonRecord> {
    const clientToken = crypto.randomUUID();
    const body: JsonRecord = { clientToken };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) body[key] = value;
    const answer = await request(this.#mqtt, {
      topic: `$aws/things/${this.thingName}/jobs/${suffix}`,
      body,
      matches: (reply) => reply.clientToken === clientToken,
      timeoutMs: options.timeoutMs ?? this.#timeoutMs,
      signal: options.signal,
      action,
    });
    if (answer.outcome === "rejected") {
      const reply = answer.body;
      throw new JobsError(action, {
        code: typeof reply.code === "string" ? reply.code : "Unknown",
        message: typeof reply.message === "string" ? reply.message : "no message",
        executionState: reply.executionState as JobExecutionState | undefined,
      });
    }
    return answer.body;
  }
}
