import { useLayoutEffect, useRef, type RefObject } from "react";

/**
 * A ref that always holds the newest `value`, for callbacks that run later
 * (intervals, event sources, key handlers) without re-subscribing on every
 * render. Updated after each commit, before any effect reads it.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useLayoutEffect(() => {
    ref.current = value;
  });
  return ref;
}
