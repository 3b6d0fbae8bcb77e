// Rendering helpers of the pages: JSON values as tables, an API answer.
import type { ReactNode } from 'react';
import type { ApiAnswer } from '../lib/logto';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON value, readably: objects as tables, arrays as lists. */
export function Value({ value }: { value: unknown }): ReactNode {
  if (value === null) return <span className="muted">null</span>;
  if (value === undefined) return <span className="muted">—</span>;
  if (typeof value === 'boolean') return <code>{String(value)}</code>;
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">[]</span>;
    return (
      <ul>
        {value.map((item, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a rendered JSON array has no other identity.
          <li key={index}>
            <Value value={item} />
          </li>
        ))}
      </ul>
    );
  }
  if (isRecord(value)) return <ClaimsTable claims={value} />;
  return String(value);
}

/** An object's entries as a table, and the raw JSON (for tests and copy-paste). */
export function ClaimsTable({ claims, id }: { claims: object; id?: string }): ReactNode {
  return (
    <>
      <table>
        <tbody>
          {Object.entries(claims).map(([name, value]) => (
            <tr key={name}>
              <th>
                <code>{name}</code>
              </th>
              <td>
                <Value value={value} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {id ? (
        <pre id={id} hidden>
          {JSON.stringify(claims, null, 2)}
        </pre>
      ) : null}
    </>
  );
}

/** An API call and its answer. */
export function ApiResult({ request, answer, id }: { request: string; answer: ApiAnswer; id?: string }): ReactNode {
  const status =
    answer.status === 0 ? (
      <span className="bad">no answer</span>
    ) : (
      <span className={answer.status < 300 ? 'ok' : 'bad'}>{`HTTP ${answer.status}`}</span>
    );
  return (
    <div id={id}>
      <p>
        <code>{request}</code> → {status}
      </p>
      <Value value={answer.body} />
    </div>
  );
}
