import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AppShell } from "@/components/app-shell";
import { GalleryList } from "@/components/gallery-list";
import { getSessionUser } from "@/server/session";

export const metadata: Metadata = { title: "Gallery" };

export default async function Page() {
  const user = await getSessionUser(await headers());
  if (!user) redirect("/sign-in");
  return (
    <AppShell user={user}>
      <h1 className="text-2xl font-semibold tracking-tight">Gallery</h1>
      <GalleryList />
    </AppShell>
  );
}
