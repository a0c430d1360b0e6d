"use client";

import { useEffect, useState } from "react";
import { setFavorite } from "@/lib/api-client";

/**
 * A star for a generation or one file: pressed when it is a favourite. The
 * change is shown at once and undone if the server refuses it.
 */
export function StarButton(props: {
  what: "generations" | "files";
  id: string;
  favorite: boolean;
  /** What is starred, for the accessible name ("this generation", "image 2"). */
  label: string;
  onChange?: (favorite: boolean) => void;
  className?: string;
}) {
  const [on, setOn] = useState(props.favorite);
  const [busy, setBusy] = useState(false);
  useEffect(() => setOn(props.favorite), [props.favorite]);

  async function toggle() {
    if (busy) {
      return;
    }
    const next = !on;
    setBusy(true);
    setOn(next);
    try {
      const state = await setFavorite(props.what, props.id, next);
      setOn(state.favorite);
      props.onChange?.(state.favorite);
    } catch {
      setOn(!next);
    }
    setBusy(false);
  }

  return (
    <button
      type="button"
      onClick={() => void toggle()}
      aria-pressed={on}
      aria-label={`Favourite: ${props.label}`}
      title={on ? "Remove from favourites" : "Add to favourites"}
      data-testid="star"
      className={`inline-flex size-8 items-center justify-center rounded-full text-lg leading-none ${
        on ? "text-amber-500" : "text-gray-400 hover:text-gray-600"
      } ${props.className ?? ""}`}
    >
      <span aria-hidden="true">{on ? "★" : "☆"}</span>
    </button>
  );
}
