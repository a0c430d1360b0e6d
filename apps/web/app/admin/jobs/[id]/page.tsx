import type { Metadata } from "next";
import { AdminJobStory } from "@/components/admin/job-story";

export const metadata: Metadata = { title: "Job" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <AdminJobStory key={id} jobId={id} />;
}
