// Theming by query parameters, for the portal embedded in a provider's product:
// `?accent=%23ff6600&theme=dark`. Values are checked against a strict pattern and applied as CSS
// custom properties through the CSSOM, never spliced into style text.

export type ThemeMode = 'light' | 'dark';

export interface Theme {
  /** `#rrggbb`, or null for the default accent. */
  accent: string | null;
  /** Null: follow the browser's preference. */
  mode: ThemeMode | null;
}

const HEX_COLOUR = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

/** `#F60` → `#ff6600`; null for anything that is not a hex colour. */
export function normalizeColour(value: string | null | undefined): string | null {
  if (value == null || !HEX_COLOUR.test(value)) return null;
  const hex = value.slice(1).toLowerCase();
  return '#' + (hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex);
}

export function parseTheme(search: string): Theme {
  const params = new URLSearchParams(search);
  const mode = params.get('theme');
  return {
    accent: normalizeColour(params.get('accent')),
    mode: mode === 'dark' || mode === 'light' ? mode : null,
  };
}

/** WCAG relative luminance of an `#rrggbb` colour. */
function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever reads better on the accent (button labels). */
export function textColourOn(accent: string): '#000000' | '#ffffff' {
  return contrastRatio(accent, '#000000') >= contrastRatio(accent, '#ffffff') ? '#000000' : '#ffffff';
}
