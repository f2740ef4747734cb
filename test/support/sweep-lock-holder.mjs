// Takes the sweep lock from a process of its own and holds it until killed:
// node test/support/sweep-lock-holder.mjs REDIS_URL NAME TTL_MS
// Uses the build (dist/), as the app does. Prints "held" once it holds the lock.
import { RedisSweepLock } from "../../dist/app/sweep-lock.js";

const [url, name, ttl] = process.argv.slice(2);
const quiet = { info() {}, warn() {}, error() {} };
const lock = RedisSweepLock.connect(url, { log: quiet, ttlMs: Number(ttl) });
const outcome = await lock.run(name, async () => {
  process.stdout.write("held\n");
  await new Promise(() => setInterval(() => undefined, 1000));
});
process.stdout.write(`${outcome}\n`);
await lock.close();
