import { ADMIN_MODERATION_FILTERS } from "@sorami/contracts";
import type { Metadata } from "next";
import { AdminModeration } from "@/components/admin/moderation";

export const metadata: Metadata = { title: "Moderation" };

export default async function Page({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { state } = await searchParams;
  const known = ADMIN_MODERATION_FILTERS.find((s) => s === state) ?? "held";
  return <AdminModeration key={known} state={known} />;
}
