import type { Metadata } from "next";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AdminNav } from "@/components/admin/admin-nav";
import { AppShell } from "@/components/app-shell";
import { getSessionUser } from "@/server/session";

export const metadata: Metadata = { title: { default: "Admin", template: "%s · Admin · Sorami" } };

/**
 * Every /admin page: signed out → sign in; signed in without the admin role
 * → 403. The API under /api/admin checks the role again on every call (the
 * page holds no data of its own).
 */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser(await headers());
  if (!user) {
    redirect("/sign-in");
  }
  if (user.role !== "admin") {
    forbidden();
  }
  return (
    <AppShell user={user}>
      <div className="space-y-6">
        <AdminNav />
        {children}
      </div>
    </AppShell>
  );
}
