"use client";

import { usePathname } from "next/navigation";
import { NavLinks } from "./nav-links";

const LINKS = [
  { href: "/generate-images", label: "Images" },
  { href: "/generate-videos", label: "Videos" },
  { href: "/gallery", label: "Gallery" },
  { href: "/collections", label: "Collections" },
] as const;

export function MainNav() {
  const pathname = usePathname();
  const links = LINKS.map((link) => ({
    ...link,
    current: pathname === link.href || pathname.startsWith(`${link.href}/`),
  }));
  return <NavLinks label="Main" look="bar" links={links} />;
}
