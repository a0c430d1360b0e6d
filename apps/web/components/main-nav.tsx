"use client";

import { usePathname } from "next/navigation";
import { NavLinks } from "./nav-links";

const LINKS = [
  { href: "/generate-images", label: "Images" },
  { href: "/generate-videos", label: "Videos" },
  { href: "/gallery", label: "Gallery" },
  { href: "/collections", label: "Collections" },
] as const;

/** The header's links; an admin also gets the console's. */
export function MainNav({ admin = false }: { admin?: boolean }) {
  const pathname = usePathname();
  const links = [...LINKS, ...(admin ? [{ href: "/admin", label: "Admin" } as const] : [])].map((link) => ({
    ...link,
    current: pathname === link.href || pathname.startsWith(`${link.href}/`),
  }));
  return <NavLinks label="Main" look="bar" links={links} />;
}
