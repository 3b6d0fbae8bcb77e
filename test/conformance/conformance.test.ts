// The dev server answers like the real Logto: every case runs on both servers and the answers are
// compared field by field, after normalising what must differ (normalise.ts). A difference fails
// unless allowed-differences.ts lists it with its reason.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { allowedDifferences } from './allowed-differences.ts';
import { cases } from './cases.ts';
import { compare, type Difference } from './compare.ts';
import { normalise } from './normalise.ts';
import { type ServerUnderTest, startDevServerUnderTest, startLogtoUnderTest } from './servers.ts';

const started = Date.now();
const [logto, devServer] = await Promise.all([startLogtoUnderTest(), startDevServerUnderTest()]);
after(() => Promise.all([logto?.close(), devServer.close()]));

/** Runs every case on one server; a case that throws is recorded as its error message. */
async function answers(server: ServerUnderTest): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const conformanceCase of cases) {
    let answer: unknown;
    try {
      answer = await conformanceCase.run(server);
    } catch (error) {
      answer = { threw: (error as Error).message.split('\n')[0] };
    }
    out.set(conformanceCase.name, normalise(answer, { endpoint: server.endpoint, ids: server.ids }));
  }
  return out;
}

function allowedBy(difference: Difference) {
  return allowedDifferences.find((allowed) =>
    allowed.path.endsWith('*')
      ? difference.path.startsWith(allowed.path.slice(0, -1))
      : difference.path === allowed.path,
  );
}

test('the dev server answers every conformance case as the real Logto does', {
  skip: !logto && 'no built Logto v1.37.1 (see npm test output)',
}, async () => {
  const [fromLogto, fromDevServer] = await Promise.all([answers(logto!), answers(devServer)]);
  const result = { differences: [] as Difference[], comparisons: 0 };
  for (const { name } of cases) compare(name, fromLogto.get(name), fromDevServer.get(name), result);

  const unexpected = result.differences.filter((difference) => !allowedBy(difference));
  const used = new Set(result.differences.map(allowedBy).filter((allowed) => allowed !== undefined));
  const stale = allowedDifferences.filter((allowed) => !used.has(allowed));
  console.log(
    `conformance: ${result.comparisons} comparisons in ${cases.length} cases, ` +
      `${result.differences.length - unexpected.length} allow-listed differences (${allowedDifferences.length} entries), ` +
      `${unexpected.length} unexpected, ${Date.now() - started} ms`,
  );
  if (process.env.LOGTO_KIT_CONFORMANCE_REPORT) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      process.env.LOGTO_KIT_CONFORMANCE_REPORT,
      JSON.stringify(
        { unexpected, logto: Object.fromEntries(fromLogto), devServer: Object.fromEntries(fromDevServer) },
        null,
        2,
      ),
    );
  }
  assert.deepEqual(
    unexpected.map(
      ({ path, logto: real, devServer: dev }) =>
        `${path}: Logto ${JSON.stringify(real)} ≠ dev server ${JSON.stringify(dev)}`,
    ),
    [],
    'differences from the real Logto that are not allow-listed',
  );
  assert.deepEqual(
    stale.map((allowed) => allowed.path),
    [],
    'allow-listed differences that no longer occur',
  );
});
