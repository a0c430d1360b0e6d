import type {
  AdminDelivery,
  AdminDeliveryPage,
  AdminJob,
  AdminJobPage,
  AdminJobStory,
  AdminModerationItem,
  AdminOverview,
  AdminRetry,
  AdminUser,
  JobStatusResponse,
  ModerationDecision,
} from "@sorami/contracts";
import { request } from "./api-client";

/** The admin console's calls to `/api/admin/*` (admins only; everyone else gets 403). */

function withQuery(path: string, query: Record<string, string | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value) {
      params.set(key, value);
    }
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

const id = (value: string) => encodeURIComponent(value);

export const admin = {
  overview: () => request<AdminOverview>("/api/admin/overview"),
  jobs: (query: Record<string, string | undefined>) => request<AdminJobPage>(withQuery("/api/admin/jobs", query)),
  story: (jobId: string) => request<AdminJobStory>(`/api/admin/jobs/${id(jobId)}`),
  cancel: (jobId: string) =>
    request<JobStatusResponse>(`/api/admin/jobs/${id(jobId)}/cancel`, { method: "POST", json: {} }),
  retry: (jobId: string) => request<AdminRetry>(`/api/admin/jobs/${id(jobId)}/retry`, { method: "POST", json: {} }),
  remove: (jobId: string) => request<unknown>(`/api/admin/jobs/${id(jobId)}`, { method: "DELETE" }),
  redeliverJob: (jobId: string) =>
    request<{ job_id: string; delivery_ids: string[] }>(`/api/admin/jobs/${id(jobId)}/redeliver`, {
      method: "POST",
      json: {},
    }),
  redeliver: (deliveryId: string) =>
    request<{ delivery_id: string }>(`/api/admin/webhooks/${id(deliveryId)}/redeliver`, { method: "POST", json: {} }),
  deliveries: (query: Record<string, string | undefined>) =>
    request<AdminDeliveryPage>(withQuery("/api/admin/deliveries", query)),
  users: (query: Record<string, string | undefined>) =>
    request<{ users: AdminUser[]; next_cursor: string | null }>(withQuery("/api/admin/users", query)),
  disable: (userId: string) =>
    request<{ user: AdminUser; sessions_ended: number; jobs_canceled: number }>(
      `/api/admin/users/${id(userId)}/disable`,
      { method: "POST", json: {} },
    ),
  enable: (userId: string) => request<AdminUser>(`/api/admin/users/${id(userId)}/enable`, { method: "POST", json: {} }),
  setRole: (userId: string, role: "admin" | "user") =>
    request<AdminUser>(`/api/admin/users/${id(userId)}/role`, { method: "POST", json: { role } }),
  moderation: (query: Record<string, string | undefined>) =>
    request<{ files: AdminModerationItem[]; next_cursor: string | null }>(withQuery("/api/admin/moderation", query)),
  decide: (fileId: string, decision: ModerationDecision) =>
    request<AdminModerationItem>(`/api/admin/moderation/${id(fileId)}`, { method: "POST", json: { decision } }),
};

export type { AdminDelivery, AdminJob };
