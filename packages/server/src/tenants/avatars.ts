/**
 * @module tenants/avatars
 * Draws simple head-and-shoulders portraits as SVG for the demo accounts, so the trust
 * screen shows a real picture without shipping photos of real people.
 */
export interface AvatarStyle {
  background: string;
  skin: string;
  hair: string;
  shirt: string;
  /** Long hair adds locks beside the face. */
  long?: boolean;
}

export function avatarSvg(s: AvatarStyle): string {
  const locks = s.long
    ? `<path d="M58 92c-8 24-6 44 2 58h20V96zM142 92c8 24 6 44-2 58h-20V96z" fill="${s.hair}"/>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200">
<rect width="200" height="200" fill="${s.background}"/>
${locks}
<path d="M34 200c4-40 32-62 66-62s62 22 66 62z" fill="${s.shirt}"/>
<rect x="86" y="118" width="28" height="26" rx="8" fill="${s.skin}"/>
<ellipse cx="100" cy="92" rx="36" ry="42" fill="${s.skin}"/>
<path d="M62 86c0-30 18-46 38-46s40 14 38 46c-8-14-22-22-38-22s-30 8-38 22z" fill="${s.hair}"/>
<circle cx="87" cy="96" r="3.5" fill="#2b2b2b"/><circle cx="113" cy="96" r="3.5" fill="#2b2b2b"/>
<path d="M89 114c7 6 15 6 22 0" stroke="#8a4b3a" stroke-width="3" fill="none" stroke-linecap="round"/>
</svg>`;
}
