// A sample front-end client written against the types `openapi-typescript` generates from the
// served document (fuyi-api.d.ts). `tsc --noEmit` on it fails when the document stops describing
// what a front end relies on: sign in, list cases, register a case, act on it with If-Match, read
// the monthly statistics.
import type { components, paths } from "./fuyi-api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type Problem = components["schemas"]["ProblemDetails"];

type TokenRequest = Json<paths["/api/v1/auth/token"]["post"]["requestBody"]>;
type TokenResponse = Json<paths["/api/v1/auth/token"]["post"]["responses"][200]>;
type CasePage = Json<paths["/api/v1/cases"]["get"]["responses"][200]>;
type CaseQuery = NonNullable<paths["/api/v1/cases"]["get"]["parameters"]["query"]>;
type Registration = Json<paths["/api/v1/cases"]["post"]["requestBody"]>;
type CaseView = Json<paths["/api/v1/cases"]["post"]["responses"][201]>;
type Transition = Json<paths["/api/v1/cases/{id}/transitions"]["post"]["requestBody"]>;
type MonthlyQuery = paths["/api/v1/statistics/monthly"]["get"]["parameters"]["query"];
type Monthly = Json<paths["/api/v1/statistics/monthly"]["get"]["responses"][200]>;

export class FuyiClient {
  private token = "";

  constructor(private readonly base: string) {}

  private async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ data: T; etag: string | null }> {
    const response = await fetch(this.base + path, {
      method,
      headers: {
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = (await response.json()) as Problem;
      const fields = (problem.errors ?? []).map((e) => `${e.field}: ${e.reason}`).join("; ");
      throw new Error(`${problem.status} ${problem.title}: ${problem.detail} ${fields}`);
    }
    return { data: (await response.json()) as T, etag: response.headers.get("ETag") };
  }

  async signIn(credentials: TokenRequest): Promise<void> {
    const { data } = await this.call<TokenResponse>("POST", "/api/v1/auth/token", credentials);
    this.token = data.access_token;
  }

  async listCases(query: CaseQuery = {}): Promise<CasePage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) params.set(key, String(value));
    }
    return (await this.call<CasePage>("GET", `/api/v1/cases?${params}`)).data;
  }

  async register(application: Registration, idempotencyKey: string): Promise<{ data: CaseView; etag: string | null }> {
    return this.call<CaseView>("POST", "/api/v1/cases", application, { "Idempotency-Key": idempotencyKey });
  }

  async act(id: string, etag: string, action: Transition): Promise<{ data: CaseView; etag: string | null }> {
    return this.call<CaseView>("POST", `/api/v1/cases/${id}/transitions`, action, { "If-Match": etag });
  }

  async monthly(query: MonthlyQuery): Promise<Monthly> {
    const params = new URLSearchParams({ from: query.from, to: query.to });
    return (await this.call<Monthly>("GET", `/api/v1/statistics/monthly?${params}`)).data;
  }
}

export async function walkthrough(base: string, respondentId: string): Promise<void> {
  const client = new FuyiClient(base);
  await client.signIn({ username: "head", password: "demo-password" });
  const page = await client.listCases({ limit: 20 });
  console.log(page.items.length, page.next_cursor);
  const created = await client.register(
    {
      respondent_id: respondentId,
      received_on: "2023-03-01",
      channel: "in_person",
      act_type: "administrative_penalty",
      act_date: "2023-02-01",
      learned_on: "2023-02-01",
      request: "Revoke the penalty decision",
      reasons: "The facts were not established",
      parties: [{ role: "applicant", kind: "natural_person", name: "张三" }],
    },
    crypto.randomUUID(),
  );
  if (created.etag === null) throw new Error("no ETag");
  const accepted = await client.act(created.data.id, created.etag, { action: "accept", procedure: "ordinary" });
  console.log(accepted.data.state);
  const months = await client.monthly({ from: "2023-01", to: "2023-12" });
  console.log(months);
}
