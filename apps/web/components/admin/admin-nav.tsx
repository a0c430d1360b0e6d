"use client";

import { usePathname } from "next/navigation";
import { NavLinks } from "../nav-links";

const LINKS = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/jobs", label: "Jobs" },
  { href: "/admin/deliveries", label: "Deliveries" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/moderation", label: "Moderation" },
] as const;

/** The console's sections. */
export function AdminNav() {
  const pathname = usePathname();
  const links = LINKS.map((link) => ({
    ...link,
    current: link.href === "/admin" ? pathname === "/admin" : pathname.startsWith(link.href),
    testId: `admin-nav-${link.label.toLowerCase()}`,
  }));
  return <NavLinks label="Admin" look="segmented" links={links} />;
}
