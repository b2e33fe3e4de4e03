/**
 * The Jobs client against the local jobs service over a real mosquitto, the service and
 * the device each on their own connection (specs/aws_iot.md §5). The notification test
 * replays the worked example of the AWS "Jobs notifications" page.
 */
import assert from "node:assert/strict";
import { asMqttLike, connect, type MqttClient } from "@tern/agent";
import { JobsClient, JobsError, JobsService } from "@tern/aws";
import { type Broker, startBroker } from "./support/broker.ts";

interface Setup extends AsyncDisposable {
  broker: Broker;
  service: JobsService;
  device: MqttClient;
  jobs: JobsClient;
}

async function setup(options: { now?: () => number } = {}): Promise<Setup> {
  const broker = await startBroker();
  const serviceClient = await connect(broker.url, { clientId: "jobs-service" });
  const service = await JobsService.start(asMqttLike(serviceClient), { now: options.now });
  const device = await connect(broker.url, { clientId: "lamp1" });
  const jobs = new JobsClient(asMqttLike(device), { thingName: "lamp1" });
  return {
    broker,
    service,
    device,
    jobs,
    async [Symbol.asyncDispose]() {
      await device.stop();
      await service.stop();
      await serviceClient.stop();
      await broker.stop();
    },
  };
}

async function rejected(promise: Promise<unknown>): Promise<JobsError> {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof JobsError, String(error));
  return error;
}

Deno.test("notify and notify-next follow the AWS worked example, message for message", async () => {
  let clock = 1517016947_000;
  await using t = await setup({ now: () => clock });
  const seen: unknown[] = [];
  await t.jobs.onJobExecutionsChanged(({ jobs }) => seen.push({ notify: jobs }));
  await t.jobs.onNextJobExecutionChanged(({ execution }) =>
    seen.push({ next: execution ? `${execution.jobId} ${execution.status}` : null })
  );
  // A round trip through the service: every notification published before its answer
  // has arrived by the time it returns.
  const settle = async () => {
    await t.jobs.getPendingJobExecutions();
    return seen.splice(0);
  };
  const document = { operation: "test" };
  const summary = (jobId: string, queuedAt: number, versionNumber: number, startedAt?: number) => ({
    jobId,
    queuedAt,
    ...(startedAt === undefined ? {} : { startedAt }),
    lastUpdatedAt: startedAt ?? queuedAt,
    versionNumber,
    executionNumber: 1,
  });

  await t.service.createJob({ jobId: "job1", targets: ["lamp1"], document });
  assert.deepStrictEqual(await settle(), [
    { notify: { QUEUED: [summary("job1", 1517016947, 1)] } },
    { next: "job1 QUEUED" },
  ]);
  clock = 1517017191_000;
  await t.service.createJob({ jobId: "job2", targets: ["lamp1"], document });
  assert.deepStrictEqual(await settle(), [
    { notify: { QUEUED: [summary("job1", 1517016947, 1), summary("job2", 1517017191, 1)] } },
  ]);
  clock = 1517017472_000;
  const started = await t.jobs.startNextPendingJobExecution();
  assert.equal(started?.jobId, "job1");
  assert.deepStrictEqual(started?.jobDocument, document);
  assert.deepStrictEqual(await settle(), []);
  clock = 1517017905_000;
  await t.service.createJob({ jobId: "job3", targets: ["lamp1"], document });
  assert.deepStrictEqual(await settle(), [{
    notify: {
      IN_PROGRESS: [summary("job1", 1517016947, 2, 1517017472)],
      QUEUED: [summary("job2", 1517017191, 1), summary("job3", 1517017905, 1)],
    },
  }]);
  clock = 1517186269_000;
  await t.jobs.updateJobExecution("job1", { status: "SUCCEEDED", expectedVersion: 2 });
  assert.deepStrictEqual(await settle(), [
    { notify: { QUEUED: [summary("job2", 1517017191, 1), summary("job3", 1517017905, 1)] } },
    { next: "job2 QUEUED" },
  ]);
  clock = 1517186779_000;
  await t.jobs.updateJobExecution("job3", { status: "IN_PROGRESS" });
  assert.deepStrictEqual(await settle(), [{ next: "job3 IN_PROGRESS" }]);
  clock = 1517189392_000;
  await t.jobs.updateJobExecution("job2", { status: "REJECTED" });
  assert.deepStrictEqual(await settle(), [
    { notify: { IN_PROGRESS: [summary("job3", 1517017905, 2, 1517186779)] } },
  ]);
  clock = 1517189551_000;
  await t.service.cancelJob("job3");
  assert.deepStrictEqual(await settle(), [{ notify: {} }, { next: null }]);
  assert.deepStrictEqual(await t.jobs.getPendingJobExecutions(), {
    inProgressJobs: [],
    queuedJobs: [],
  });
  assert.equal(await t.jobs.startNextPendingJobExecution(), undefined);
});

Deno.test("updates check the expected version and the state rules, and answer with what was asked", async () => {
  await using t = await setup();
  await t.service.createJob({ jobId: "ota", targets: ["lamp1", "lamp2"], document: { v: 2 } });
  const started = await t.jobs.startNextPendingJobExecution({
    statusDetails: { step: "download" },
  });
  assert.equal(started?.versionNumber, 2);
  assert.deepStrictEqual(started?.statusDetails, { step: "download" });

  const mismatch = await rejected(
    t.jobs.updateJobExecution("ota", { status: "IN_PROGRESS", expectedVersion: 1 }),
  );
  assert.equal(mismatch.code, "VersionMismatch");
  assert.deepStrictEqual(mismatch.executionState, {
    status: "IN_PROGRESS",
    statusDetails: { step: "download" },
    versionNumber: 2,
  });
  assert.deepStrictEqual(
    await t.jobs.updateJobExecution("ota", {
      status: "SUCCEEDED",
      statusDetails: { step: "done" },
      expectedVersion: 2,
      includeJobExecutionState: true,
      includeJobDocument: true,
    }),
    {
      executionState: { status: "SUCCEEDED", statusDetails: { step: "done" }, versionNumber: 3 },
      jobDocument: { v: 2 },
    },
  );
  assert.deepStrictEqual(
    await t.jobs.updateJobExecution("ota", { status: "IN_PROGRESS" }).catch(
      (error: JobsError) => [error.code, error.executionState?.status],
    ),
    ["InvalidStateTransition", "SUCCEEDED"],
  );
  assert.equal(
    (await rejected(t.jobs.describeJobExecution("ota"))).code,
    "TerminalStateReached",
  );
  assert.equal((await rejected(t.jobs.describeJobExecution("nosuch"))).code, "ResourceNotFound");
  // The other thing's execution is untouched.
  const other = new JobsClient(asMqttLike(t.device), { thingName: "lamp2" });
  const described = await other.describeJobExecution("$next", { includeJobDocument: false });
  assert.equal(described?.status, "QUEUED");
  assert.equal(described?.jobDocument, undefined);
  assert.equal(t.service.execution("lamp1", "ota")?.status, "SUCCEEDED");
});

Deno.test("an execution whose step timer ran out is TIMED_OUT", async () => {
  let clock = Date.parse("2026-12-06T12:00:00Z");
  await using t = await setup({ now: () => clock });
  await t.service.createJob({ jobId: "slow", targets: ["lamp1"], document: {} });
  await t.jobs.startNextPendingJobExecution({ stepTimeoutInMinutes: 1 });
  clock += 59_000;
  assert.equal((await t.jobs.getPendingJobExecutions()).inProgressJobs.length, 1);
  clock += 1_000;
  assert.deepStrictEqual(await t.jobs.getPendingJobExecutions(), {
    inProgressJobs: [],
    queuedJobs: [],
  });
  assert.equal(t.service.execution("lamp1", "slow")?.status, "TIMED_OUT");
});

Deno.test("concurrent requests of one client each get their own answer", async () => {
  await using t = await setup();
  for (const jobId of ["a", "b", "c"]) {
    await t.service.createJob({ jobId, targets: ["lamp1"], document: { jobId } });
  }
  const described = await Promise.all(["c", "a", "b"].map((id) => t.jobs.describeJobExecution(id)));
  assert.deepStrictEqual(described.map((e) => e?.jobDocument), [
    { jobId: "c" },
    { jobId: "a" },
    { jobId: "b" },
  ]);
});

Deno.test("the service answers malformed requests on /rejected with the documented codes", async () => {
  await using t = await setup();
  const mqtt = asMqttLike(t.device);
  const answers: { topic: string; body: Record<string, unknown> }[] = [];
  const arrived = Promise.withResolvers<void>();
  await mqtt.subscribe("$aws/things/lamp1/jobs/#", (message) => {
    if (!message.topic.endsWith("/rejected")) return;
    answers.push({
      topic: message.topic,
      body: JSON.parse(new TextDecoder().decode(message.payload)),
    });
    if (answers.length === 3) arrived.resolve();
  }, { qos: 1 });
  const encode = (text: string) => new TextEncoder().encode(text);
  await mqtt.publish("$aws/things/lamp1/jobs/get", encode("{not json"), { qos: 1 });
  await mqtt.publish("$aws/things/lamp1/jobs/x/y/z", encode("{}"), { qos: 1 });
  await mqtt.publish(
    "$aws/things/lamp1/jobs/job1/update",
    encode('{"status":"CANCELED","clientToken":"t1"}'),
    { qos: 1 },
  );
  await arrived.promise;
  assert.deepStrictEqual(answers.map(({ topic, body }) => [topic, body.code, body.clientToken]), [
    ["$aws/things/lamp1/jobs/get/rejected", "InvalidJson", undefined],
    ["$aws/things/lamp1/jobs/x/y/z/rejected", "InvalidTopic", undefined],
    ["$aws/things/lamp1/jobs/job1/update/rejected", "InvalidRequest", "t1"],
  ]);
  assert.ok(answers.every(({ body }) => typeof body.timestamp === "number"));
});

Deno.test("the client checks ids, statuses and numbers before sending anything", async () => {
  await using t = await setup();
  await assert.rejects(
    t.jobs.updateJobExecution("a/b", { status: "SUCCEEDED" }),
    new TypeError(
      'Cannot update job execution: job id "a/b" must be 1-64 letters, digits, "_" or "-"',
    ),
  );
  await assert.rejects(
    t.jobs.updateJobExecution("a", { status: "CANCELED" as "SUCCEEDED" }),
    /status "CANCELED" must be IN_PROGRESS, FAILED, SUCCEEDED or REJECTED/,
  );
  await assert.rejects(
    t.jobs.updateJobExecution("a", { status: "SUCCEEDED", expectedVersion: -1 }),
    RangeError,
  );
  assert.throws(() => new JobsClient(asMqttLike(t.device), { thingName: "a/+" }), TypeError);
});
