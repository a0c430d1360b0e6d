import type { Metadata } from "next";
import { headers } from "next/headers";
import { AdminUsers } from "@/components/admin/users";
import { getSessionUser } from "@/server/session";

export const metadata: Metadata = { title: "Users" };

export default async function Page() {
  // The layout has checked the role; the user is needed to leave out "Disable" on the admin's own row.
  const user = await getSessionUser(await headers());
  return <AdminUsers me={user?.id ?? ""} />;
}
