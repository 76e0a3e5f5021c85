// Icons: inline SVG, hidden from screen readers (the buttons carry names).

import type { ComponentChildren } from "preact";

function Svg({ children, size = 20 }: { children: ComponentChildren; size?: number }) {
  return (
    <svg viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
      {children}
    </svg>
  );
}

export function MicIcon({ off = false }: { off?: boolean }) {
  return (
    <Svg>
      <path fill="currentColor" d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11z" />
      {off && <path stroke="currentColor" stroke-width="2" d="M4 4l16 16" />}
    </Svg>
  );
}

export function CameraIcon({ off = false }: { off?: boolean }) {
  return (
    <Svg>
      <path fill="currentColor" d="M4 6h11a2 2 0 0 1 2 2v2.5l4-3v9l-4-3V16a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z" />
      {off && <path stroke="currentColor" stroke-width="2" d="M3 3l18 18" />}
    </Svg>
  );
}

export function LeaveIcon() {
  return (
    <Svg>
      <path fill="currentColor" d="M12 9c-1.6 0-3.15.25-4.6.72v3.1c0 .39-.23.74-.56.9-.98.49-1.87 1.12-2.66 1.85a1 1 0 0 1-1.41-.02L.29 13.08a1 1 0 0 1 0-1.41C3.34 8.78 7.46 7 12 7s8.66 1.78 11.71 4.67a1 1 0 0 1 0 1.41l-2.48 2.48a1 1 0 0 1-1.41.02 11.3 11.3 0 0 0-2.67-1.85 1 1 0 0 1-.56-.9v-3.1C15.15 9.25 13.6 9 12 9z" />
    </Svg>
  );
}

export function ScreenIcon() {
  return (
    <Svg>
      <path fill="currentColor" d="M3 4h18a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1h-7v2h3v2H7v-2h3v-2H3a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zm1 2v9h16V6zm8 1 3.5 3.5H13V14h-2v-3.5H8.5z" />
    </Svg>
  );
}

export function ChatIcon() {
  return (
    <Svg>
      <path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-4 4V5a2 2 0 0 1 2-2zm2 5v2h12V8zm0 4v2h8v-2z" />
    </Svg>
  );
}

export function PeopleIcon() {
  return (
    <Svg>
      <path fill="currentColor" d="M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm7 0a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM9 13c-3.3 0-7 1.6-7 4v3h14v-3c0-2.4-3.7-4-7-4zm7 0c-.5 0-1 0-1.5.1 1.5.9 2.5 2.2 2.5 3.9v3h5v-3c0-2.2-3.3-4-6-4z" />
    </Svg>
  );
}

export function HandIcon() {
  return (
    <Svg>
      <path fill="currentColor" d="M13 2a1.5 1.5 0 0 1 1.5 1.5V11h1V4.5a1.5 1.5 0 0 1 3 0V14l1.3-2.2a1.5 1.5 0 0 1 2.6 1.5l-3.3 5.8A6 6 0 0 1 13.9 22H12a6 6 0 0 1-6-6V6.5a1.5 1.5 0 0 1 3 0V11h1V3.5A1.5 1.5 0 0 1 11.5 2h1.5z" />
    </Svg>
  );
}

export function SmileIcon() {
  return (
    <Svg>
      <path fill="currentColor" d="M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20zm0 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16zM8.5 9a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm7 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zM7 14h10a5 5 0 0 1-10 0z" />
    </Svg>
  );
}

export function MoreIcon() {
  return (
    <Svg>
      <path fill="currentColor" d="M12 7a2 2 0 1 1 0-4 2 2 0 0 1 0 4zm0 7a2 2 0 1 1 0-4 2 2 0 0 1 0 4zm0 7a2 2 0 1 1 0-4 2 2 0 0 1 0 4z" />
    </Svg>
  );
}

export function LockIcon({ open = false, size = 16 }: { open?: boolean; size?: number }) {
  return (
    <Svg size={size}>
      <path
        fill="currentColor"
        d={
          open
            ? "M17 8h-1V6a4 4 0 0 0-7.9-.9l1.9.6A2 2 0 0 1 14 6v2H7a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2zm-5 9a2 2 0 1 1 0-4 2 2 0 0 1 0 4z"
            : "M17 8h-1V6a4 4 0 0 0-8 0v2H7a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V10a2 2 0 0 0-2-2zm-7-2a2 2 0 0 1 4 0v2h-4zm2 11a2 2 0 1 1 0-4 2 2 0 0 1 0 4z"
        }
      />
    </Svg>
  );
}

export function GridIcon() {
  return (
    <Svg>
      <path fill="currentColor" d="M3 3h8v8H3zm10 0h8v8h-8zM3 13h8v8H3zm10 0h8v8h-8z" />
    </Svg>
  );
}

export function CloseIcon() {
  return (
    <Svg>
      <path stroke="currentColor" stroke-width="2" d="M6 6l12 12M18 6 6 18" />
    </Svg>
  );
}

export function SparkleIcon() {
  return (
    <Svg>
      <path fill="currentColor" d="M12 2l2.2 6.3L20.5 10l-6.3 2.2L12 18.5l-2.2-6.3L3.5 10l6.3-1.7zM19 15l1 2.6 2.5.9-2.5 1-1 2.5-.9-2.5-2.6-1 2.6-.9z" />
    </Svg>
  );
}

/** A push pin: the pinned person's tile. */
export function PinIcon({ size = 18 }: { size?: number }) {
  return (
    <Svg size={size}>
      <path fill="currentColor" d="M16 3v2h-1v6l2 3v2h-4v5l-1 1-1-1v-5H7v-2l2-3V5H8V3h8z" />
    </Svg>
  );
}
