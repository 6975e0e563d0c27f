// The hub's half of ../shared/peers/compare-fanout.mjs, for alternating runs of two trees: the same clients
// (SignalR over WebSockets with MessagePack, client i on topic i % topics), the same publishing (batches every
// 50 ms over HTTP), warm-up and measured window, and the hub's CPU per delivery; no Socket.IO, bare SignalR
// or floor. Run by hub-fanout.sh inside the peers' work folder, which has the harness's lib/ and node_modules.
// usage: HUB_DIR=<publish dir> node hub-fanout.mjs [clients] [topics] [publishesPerSecond] [seconds]
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import * as signalR from '@microsoft/signalr';
import { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
import { startRedis, stopAll, freePort, sleep, until } from './lib/cluster.mjs';

const [C, T, R, D] = [1000, 20, 200, 15].map((fallback, i) => Number(process.argv[2 + i] || fallback));
const WARM = Number(process.env.WARM_SECONDS || 5);
const batch = Math.max(1, Math.round(R / 20));
const cpuSeconds = pid => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const pct = (a, p) => a.length ? a[Math.min(a.length - 1, Math.floor(a.length * p))] : NaN;

const redis = await startRedis();
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dir = path.resolve(process.env.HUB_DIR);
const hub = spawn('dotnet', [path.join(dir, 'Hub.Server.dll'), '--urls', base], {
  cwd: dir, stdio: 'ignore',
  env: { ...process.env, ASPNETCORE_ENVIRONMENT: 'Development', DOTNET_gcServer: '0', Logging__LogLevel__Default: 'Warning',
    Demo__Enabled: 'false', Redis__ConnectionString: redis.url },
});
try {
  await until(async () => (await fetch(`${base}/health/live`).catch(() => null))?.status === 200, { timeout: 60000, what: 'hub' });
  const lat = []; let got = 0;
  const clients = [];
  for (let i = 0; i < C; i++) {
    const c = new signalR.HubConnectionBuilder().withUrl(`${base}/hubs/progress`, { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets })
      .withHubProtocol(new MessagePackHubProtocol()).configureLogging(signalR.LogLevel.None).build();
    c.on('OnEvent', e => { got++; if (e.data?.t) lat.push(Date.now() - e.data.t); });
    await c.start();
    await c.invoke('Subscribe', `merchant:bench${i % T}`, null);
    clients.push(c);
  }

  const publish = (i, data) => fetch(`${base}/api/topics/merchant:bench${i % T}/events`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'progress', data: { poId: 'p', workflowId: 'w', stage: 's', progress: 1, message: 'm', ...data } }) });
  // Publishes a batch every 50 ms for the given time; returns how many events it published.
  const paced = async (seconds, each) => {
    let published = 0;
    for (const t0 = Date.now(); Date.now() - t0 < seconds * 1000; published += batch) {
      const tick = Date.now();
      await Promise.all(Array.from({ length: batch }, (_, i) => each(published + i)));
      await sleep(Math.max(0, 50 - (Date.now() - tick)));
    }
    return published;
  };
  await paced(WARM, n => publish(n, { n: -1 }));
  await sleep(1500);
  lat.length = 0; got = 0;

  const cpu0 = cpuSeconds(hub.pid);
  // ON_MEASURE names a command run in the background with the hub's pid as the window starts (perf, counters).
  if (process.env.ON_MEASURE) execFileSync('bash', ['-c', `${process.env.ON_MEASURE} ${hub.pid} &`], { stdio: 'inherit' });
  const t0 = Date.now();
  const sent = await paced(D, n => publish(n, { t: Date.now(), n }));
  await sleep(2000);
  const cpu = cpuSeconds(hub.pid) - cpu0;
  lat.sort((a, b) => a - b);
  console.log(JSON.stringify({ name: 'RealtimeHub (SignalR ws + msgpack)', dir, sent, deliveries: got, expected: Math.round(sent * C / T),
    perSec: Math.round(got / ((Date.now() - t0) / 1000)), p50: pct(lat, 0.5), p99: pct(lat, 0.99), max: lat.at(-1),
    serverCpuUsPerDelivery: Math.round(cpu * 1e6 / Math.max(1, got) * 10) / 10 }));
  await Promise.all(clients.map(c => c.stop()));
} finally {
  hub.kill();
  await stopAll();
}
