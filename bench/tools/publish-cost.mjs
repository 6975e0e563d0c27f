// The hub's CPU per publish with nobody subscribed: the publishing path alone (HTTP, validation,
// job clock, history append, hand-off), at the peers' fan-out rate and burst shape (a batch every 50 ms).
// usage: node bench/tools/publish-cost.mjs BASE_URL HUB_PID [PUBLISHES_PER_SECOND=200] [SECONDS=15]
// Start the hub yourself (Release, Redis__ConnectionString set, ASPNETCORE_ENVIRONMENT=Development so
// publishing needs no credentials); the script warms it up with 200 publishes, then reads the hub's
// user+system time from /proc before and after and prints one JSON line.
import fs from 'node:fs';

const [base, pid] = [process.argv[2], process.argv[3]];
const rate = Number(process.argv[4] || 200), seconds = Number(process.argv[5] || 15);
if (!base || !pid) { console.error('usage: node publish-cost.mjs BASE_URL HUB_PID [RATE] [SECONDS]'); process.exit(2); }

const ticksPerSecond = 100;
const cpuMicros = () => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1e6 / ticksPerSecond);
};
const publish = async i => {
  const r = await fetch(`${base}/api/topics/merchant:bench${i % 20}/events`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'progress', data: { poId: 'p', workflowId: 'w', stage: 's', progress: 1, message: 'm', t: Date.now(), n: i } }),
  });
  if (r.status !== 202) throw new Error(`publish ${i}: ${r.status} ${await r.text()}`);
};

for (let i = 0; i < 200; i++) await publish(i);
const before = cpuMicros();
let sent = 0;
const start = Date.now();
while (Date.now() - start < seconds * 1000) {
  const tick = Date.now();
  await Promise.all(Array.from({ length: Math.max(1, rate / 20) }, () => publish(sent++)));
  const wait = 50 - (Date.now() - tick);
  if (wait > 0) await new Promise(r => setTimeout(r, wait));
}
console.log(JSON.stringify({ sent, cpuUsPerPublish: Math.round((cpuMicros() - before) / sent) }));
