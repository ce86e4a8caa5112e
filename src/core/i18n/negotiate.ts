/**
 * Which of the locales Govstage offers best fits what a person's browser,
 * page, Slack or Teams asks for. Pure, for the server and the widget alike.
 */

/** A locale tag as people's software writes it (fr-CA, fr_ca, FR, en-GB-oxendict), tidied to "fr-CA"; undefined if it is not one. */
export function tidyLocale(tag: string): string | undefined {
  const match = /^([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))?/.exec(tag.trim());
  if (!match?.[1]) return undefined;
  const language = match[1].toLowerCase();
  const region = match[2] && /^[A-Za-z]{2}$/.test(match[2]) ? `-${match[2].toUpperCase()}` : '';
  return `${language}${region}`;
}

/**
 * The first requested locale that is offered, exactly or by its language
 * ("fr-CA" is served "fr"; "fr" is served "fr-CA" if that is the only French
 * offered); undefined when none is.
 */
export function negotiateLocale(offered: readonly string[], requested: readonly (string | undefined | null)[]): string | undefined {
  for (const raw of requested) {
    const tag = raw ? tidyLocale(raw) : undefined;
    if (!tag) continue;
    if (offered.includes(tag)) return tag;
    const language = tag.split('-')[0] as string;
    if (offered.includes(language)) return language;
    const sameLanguage = offered.find((o) => o.split('-')[0] === language);
    if (sameLanguage) return sameLanguage;
  }
  return undefined;
}

/** The locales an Accept-Language header names, most wanted first (q=0 left out). */
export function acceptLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((entry, index) => {
      const [tag = '', ...params] = entry.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((e) => e.tag && e.tag !== '*' && e.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((e) => e.tag);
}

/** A language's name in its own language, capitalised as a menu item ("Français", "English"). */
export function languageName(locale: string): string {
  let name = locale;
  try {
    name = new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;
  } catch {
    // An engine without DisplayNames (or this tag): the tag itself.
  }
  return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
}
