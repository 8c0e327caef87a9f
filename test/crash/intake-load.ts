/** A request as sent: kept whole, so one whose answer was lost in the crash can be retried byte for byte. */
export interface IntakeRequest {
  idempotencyKey: string;
  json: string;
}

/** An intake the API acknowledged with 201: from that moment it must survive anything. */
export interface Acknowledged {
  idempotencyKey: string;
  reference: string;
  caseId: number;
}

export interface SendResult {
  status: number;
  replayed: boolean;
  acknowledged: Acknowledged | null;
  body: string;
}

/** Generous: a loaded CI machine is slow, and a crash ends requests at once with a socket error anyway. */
const REQUEST_TIMEOUT_MS = 30_000;
const CASE_URL = /\/cases\/(\d+)$/;

export function intakeRequest(idempotencyKey: string, communeId: number, sequence: number): IntakeRequest {
  const body = {
    medium: 'phone',
    child: { name: `Trẻ thử nghiệm số ${sequence}`, estimatedAge: sequence % 18, sex: sequence % 2 === 0 ? 'female' : 'male' },
    residenceCommuneId: communeId,
    incidentPlace: 'Khu trọ gần chợ',
    description: `Cuộc gọi thử nghiệm độ bền số ${sequence}: hàng xóm nghe tiếng trẻ khóc nhiều đêm liền.`,
    immediateDanger: sequence % 5 === 0,
    categories: ['abuse_violence_physical'],
    reporter: { consented: true, relation: 'Hàng xóm', phone: '0912 345 678' },
  };
  return { idempotencyKey, json: JSON.stringify(body) };
}

export async function sendIntake(baseUrl: string, apiKey: string, request: IntakeRequest): Promise<SendResult> {
  const response = await fetch(`${baseUrl}/api/v1/intakes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'idempotency-key': request.idempotencyKey },
    body: request.json,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await response.text();
  const replayed = response.headers.get('idempotent-replayed') === 'true';
  if (response.status !== 201) return { status: response.status, replayed, acknowledged: null, body };
  const { reference, url } = JSON.parse(body) as { reference: string; url: string };
  const caseId = Number(CASE_URL.exec(url)?.[1]);
  if (!reference || !caseId) throw new Error(`a 201 without a reference and case url: ${body}`);
  return { status: 201, replayed, acknowledged: { idempotencyKey: request.idempotencyKey, reference, caseId }, body };
}

export interface LoadOutcome {
  acknowledged: Acknowledged[];
  /** Sent, never answered: the crash (or an error) took the answer; whether it committed is unknown. */
  unanswered: IntakeRequest[];
  /** Anything but a 201 or a socket error after the kill (a 5xx, a 4xx, a connection lost before it); the first one stops the load. */
  unexpected: string[];
}

export interface RunningLoad {
  acknowledgedCount(): number;
  inFlight(): number;
  /** Resolves at the first 201, so the kill cannot land before the app is taking intakes. */
  firstAcknowledged: Promise<void>;
  /** No new requests from now on; failures of those still in flight are the crash's, not the app's. */
  stop(): void;
  /** Resolves once every loop has ended: after stop(), or early at the first unexpected answer. */
  finished: Promise<LoadOutcome>;
}

export interface LoadOptions {
  baseUrl: string;
  apiKey: string;
  communeId: number;
  concurrency: number;
  /** Makes idempotency keys unique across rounds, e.g. "r3". */
  keyPrefix: string;
}

/** `concurrency` loops, each sending one intake after another, until stop(). */
export function startIntakeLoad(options: LoadOptions): RunningLoad {
  const outcome: LoadOutcome = { acknowledged: [], unanswered: [], unexpected: [] };
  let stopped = false;
  let inFlight = 0;
  let sequence = 0;
  let signalFirst: () => void = () => undefined;
  const firstAcknowledged = new Promise<void>((resolve) => (signalFirst = resolve));

  // One unexpected answer already fails the round; carrying on would only repeat it many times over.
  function giveUp(message: string): void {
    outcome.unexpected.push(message);
    stopped = true;
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      sequence += 1;
      const request = intakeRequest(`crash-${options.keyPrefix}-${sequence}`, options.communeId, sequence);
      inFlight += 1;
      try {
        const result = await sendIntake(options.baseUrl, options.apiKey, request);
        if (result.acknowledged) {
          outcome.acknowledged.push(result.acknowledged);
          signalFirst();
        } else {
          giveUp(`HTTP ${result.status} for ${request.idempotencyKey}: ${result.body.slice(0, 200)}`);
        }
      } catch (error) {
        outcome.unanswered.push(request);
        if (!stopped) giveUp(`request ${request.idempotencyKey} failed before the kill: ${describe(error)}`);
      } finally {
        inFlight -= 1;
      }
    }
  }

  const loops = Array.from({ length: options.concurrency }, () => loop());
  return {
    acknowledgedCount: () => outcome.acknowledged.length,
    inFlight: () => inFlight,
    firstAcknowledged,
    stop: () => {
      stopped = true;
    },
    finished: Promise.all(loops).then(() => outcome),
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
