// Rooms by link: a page opened with ?room=… starts with that room filled in, and a page in
// a room shows the link that brings others to it.

import { html, type TemplateResult } from 'lit';

/** The room an invite link names, if any. */
export function roomFromUrl(): string {
  return new URLSearchParams(location.search).get('room') ?? '';
}

/** A link that opens this page with `room` filled in. */
export function inviteLink(room: string): TemplateResult {
  const url = `${location.origin}${location.pathname}?room=${encodeURIComponent(room)}`;
  return html`<p class="invite">Invite others: <a id="invite" href=${url}>${url}</a></p>`;
}
