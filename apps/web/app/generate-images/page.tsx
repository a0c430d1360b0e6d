import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AppShell } from "@/components/app-shell";
import { GenerateImages } from "@/components/generate-images";
import { getSessionUser } from "@/server/session";

export const metadata: Metadata = { title: "Generate images" };

export default async function Page() {
  const user = await getSessionUser(await headers());
  if (!user) redirect("/sign-in");
  return (
    <AppShell user={user}>
      <h1 className="text-2xl font-semibold tracking-tight">Generate images</h1>
      <GenerateImages />
    </AppShell>
  );
}
