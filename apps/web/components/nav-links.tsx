import Link from "next/link";

export type NavLink = { href: string; label: string; current: boolean; testId?: string };

const LOOKS = {
  /** The header's page links. */
  bar: {
    list: "flex items-center gap-1",
    link: "rounded-md px-3 py-2 text-sm font-medium",
    on: "bg-indigo-50 text-indigo-700",
    off: "text-gray-700 hover:bg-gray-100 hover:text-gray-900",
  },
  /** A switch between views of one page, e.g. Images | Videos. */
  segmented: {
    list: "inline-flex rounded-md border border-gray-300 bg-white p-0.5 shadow-sm",
    link: "block rounded px-4 py-1.5 text-sm font-medium",
    on: "bg-indigo-600 text-white",
    off: "text-gray-700 hover:bg-gray-100",
  },
} as const;

/** A labelled list of links; the current one is marked for assistive technology as well as by colour. */
export function NavLinks(props: {
  label: string;
  links: readonly NavLink[];
  look: keyof typeof LOOKS;
  className?: string;
}) {
  const look = LOOKS[props.look];
  return (
    <nav aria-label={props.label} className={props.className}>
      <ul className={look.list}>
        {props.links.map((link) => (
          <li key={link.href}>
            <Link
              href={link.href}
              data-testid={link.testId}
              aria-current={link.current ? "page" : undefined}
              className={`${look.link} ${link.current ? look.on : look.off}`}
            >
              {link.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
