// BullMQ's rows of the benchmark's --peers run (tests/Athomic.Scheduler.Benchmarks/Peers/BullMqPeer.cs). The benchmark
// copies this file and package.json to a temporary folder, installs them there with npm and runs
//   node bullmq-bench.mjs --port <the run's redis-server> [--scale 10]
// against the redis-server the run started. Each measured number is one JSON line on stdout:
//   {"row":"add1","value":6639.2,"unit":"/s","count":20000}
// and the first line names the versions: {"meta":{"bullmq":"6.7.0","ioredis":"6.1.0","node":"v20.20.2"}}.
// Anything else on stdout is ignored by the reader; errors go to stderr with a non-zero exit code.
// The definitions match the benchmark's rows for Athomic.Scheduler (docs/performance.md, "BullMQ in the same run").
import { createRequire } from 'node:module';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

const require = createRequire(import.meta.url);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const port = Number(arg('--port', '6379'));
const scale = Number(arg('--scale', '1'));
const only = arg('--only', ''); // a comma-separated list of sections, for trying the script by hand

const Name = 'bench.noop'; // the benchmark's no-op handler name
const Data = 'x'.repeat(28); // the benchmark's payload is 28 bytes
const Callers = 32;
const Chunk = 1000; // ScheduleManyAsync sends 1,000 tasks per call
// Jobs that run (end to end, lateness) leave nothing behind when they finish, as an ack does. Jobs due in a day (the add
// and memory rows) never finish here, so they carry only their delay: BullMQ's smallest delayed job. (Longer options
// would cost it ~450 B more per job: an opts string over 64 bytes turns the job's hash from a listpack into a hashtable.)
const Keep = { removeOnComplete: true, removeOnFail: true };
const Day = 24 * 60 * 60 * 1000;
const Later = { delay: Day };
const BurstLead = 3000;

const emit = (row, value, unit, count) => console.log(JSON.stringify({ row, value, unit, count }));
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
const connect = () => new IORedis({ host: '127.0.0.1', port, maxRetriesPerRequest: null });
const admin = connect();
const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await admin.info('memory'))[1]);
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
const wanted = (section) => only === '' || only.split(',').includes(section);

async function withQueue(name, body) {
  await admin.flushdb();
  const connection = connect();
  const queue = new Queue(name, { connection, prefix: '{bullmq}' });
  try {
    await queue.waitUntilReady();
    return await body(queue);
  } finally {
    await queue.close();
    connection.disconnect();
    await admin.flushdb();
  }
}

async function addBulk(queue, count, opts, idPrefix) {
  for (let start = 0; start < count; start += Chunk) {
    const jobs = [];
    for (let i = start; i < Math.min(count, start + Chunk); i++) {
      jobs.push({ name: Name, data: Data, opts: typeof opts === 'function' ? opts(i) : opts });
    }
    await queue.addBulk(jobs);
  }
}

console.log(JSON.stringify({
  meta: {
    bullmq: require('bullmq/package.json').version,
    ioredis: require('ioredis/package.json').version,
    node: process.version,
  },
}));

const seqCount = 20_000 / scale;
const parCount = 200_000 / scale;
const memCount = 100_000 / scale;
const e2eCount = 100_000 / scale;
const burstCount = 10_000 / scale;

// Queue.add, one caller awaiting each call; the job is due in a day, as the benchmark's ScheduleAsync rows.
if (wanted('add')) {
  await withQueue('add1', async (queue) => {
    await queue.add(Name, Data, Later); // warm-up, as ours
    const start = process.hrtime.bigint();
    for (let i = 0; i < seqCount; i++) {
      await queue.add(Name, Data, Later);
    }
    emit('add1', seqCount / seconds(start), '/s', seqCount);
  });

  // Queue.add from 32 concurrent callers on one connection, as ConcurrentBench's 32 callers on one multiplexer.
  await withQueue('add32', async (queue) => {
    let next = -1;
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: Callers }, async () => {
      while (++next < parCount) {
        await queue.add(Name, Data, Later);
      }
    }));
    emit('add32', parCount / seconds(start), '/s', parCount);
  });

  // Queue.addBulk, 1,000 jobs per call, one call after the other (ScheduleManyAsync chunks the same way).
  await withQueue('bulk', async (queue) => {
    const start = process.hrtime.bigint();
    await addBulk(queue, parCount, Later);
    emit('bulk', parCount / seconds(start), '/s', parCount);
  });
}

// Redis memory per delayed job: used_memory before and after, on an otherwise empty database.
if (wanted('memory')) {
  await withQueue('memory', async (queue) => {
    const before = await usedMemory();
    await addBulk(queue, memCount, Later);
    emit('memory', (await usedMemory() - before) / memCount, 'B', memCount);
  });
}

if (wanted('e2e')) {
  await withQueue('e2e', async (queue) => {
    // End to end: jobs already due (no delay), then one worker of concurrency 64 (ours: MaxConcurrency 64) with a
    // no-op processor starts; timed from its start to the last handler's start, as the benchmark's registry counts.
    await addBulk(queue, e2eCount, Keep);
    let target = e2eCount;
    let seen = 0;
    let lateness = [];
    let done;
    const expect = (count) => {
      target = count;
      seen = 0;
      lateness = [];
      return new Promise((resolve) => { done = resolve; });
    };
    let finished = expect(e2eCount);
    const workerConnection = connect();
    const start = process.hrtime.bigint();
    const worker = new Worker(queue.name, async (job) => {
      // Lateness: this handler's start against the job's due time (its timestamp plus its delay), both this host's
      // wall clock in ms, as the benchmark's handler compares TaskContext.StartedAt with DueAt.
      lateness.push(Date.now() - (job.timestamp + (job.opts.delay ?? 0)));
      if (++seen === target) {
        done();
      }
    }, { connection: workerConnection, prefix: '{bullmq}', concurrency: 64 });
    try {
      await finished;
      emit('e2e', e2eCount / seconds(start), '/s', e2eCount);

      // Lateness, idle: one job at a time, each 100 ms ahead.
      const idle = [];
      for (let i = 0; i < 50; i++) {
        finished = expect(1);
        await queue.add(Name, Data, { delay: 100, ...Keep });
        await finished;
        idle.push(...lateness);
      }
      idle.sort((a, b) => a - b);
      emit('latenessIdleP50', percentile(idle, 0.5), 'ms', idle.length);
      emit('latenessIdleP95', percentile(idle, 0.95), 'ms', idle.length);
      emit('latenessIdleP99', percentile(idle, 0.99), 'ms', idle.length);

      // Lateness, burst: 10,000 jobs due at the same moment (each job's delay is that moment minus now), far enough
      // ahead that all are stored before it: ours are 1 s ahead, stored in ~0.1 s; addBulk takes 0.7-1.3 s here.
      finished = expect(burstCount);
      const at = Date.now() + BurstLead;
      const addStart = process.hrtime.bigint();
      await addBulk(queue, burstCount, () => ({ delay: Math.max(0, at - Date.now()), ...Keep }));
      emit('burstAddSeconds', seconds(addStart), 's', burstCount);
      emit('burstLeadSeconds', BurstLead / 1000, 's', burstCount);
      await finished;
      const burst = [...lateness].sort((a, b) => a - b);
      emit('latenessBurstP50', percentile(burst, 0.5), 'ms', burst.length);
      emit('latenessBurstP95', percentile(burst, 0.95), 'ms', burst.length);
      emit('latenessBurstP99', percentile(burst, 0.99), 'ms', burst.length);
    } finally {
      await worker.close();
      workerConnection.disconnect();
    }
  });
}

admin.disconnect();
process.exit(0); // nothing left to wait for: a client's leftover timer must not hold the run
