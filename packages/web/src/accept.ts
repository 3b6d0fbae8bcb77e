/**
 * Content negotiation for the answers every adapter gives itself (401 and 503): JSON for API
 * clients that ask for it, HTML for browsers and everything else.
 */

interface MediaRange {
  type: string;
  quality: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(',').map((range) => {
    const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { type, quality: Number.isFinite(quality) ? quality : 0 };
  });
}

// RFC 9110 §12.5.1: the most specific matching range gives a media type its quality.
function qualityOf(mediaType: string, ranges: readonly MediaRange[]): number {
  const wildcard = `${mediaType.split('/')[0]}/*`;
  for (const candidate of [mediaType, wildcard, '*/*']) {
    const match = ranges.find((range) => range.type === candidate);
    if (match) return match.quality;
  }
  return 0;
}

/** Whether the `Accept` header prefers JSON to HTML (a tie or an absent header means HTML). */
export function prefersJson(accept: string | null | undefined): boolean {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  return qualityOf('application/json', ranges) > qualityOf('text/html', ranges);
}
