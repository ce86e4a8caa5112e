/**
 * The words of the group report (page, Markdown, CSV headings, the JSON
 * report's `labels`) and of the coordinator's page: the locale catalogues'
 * `groupReport` and `groupPage` sections (locales/<locale>.yaml), as plain
 * records the renderers and the page script read. Govstage's wording
 * throughout; the OECD's characteristics are quoted from the rubric.
 * Their placeholders are `{name}` only (filled by fillText).
 */
import type { KeyIn, Words } from '../i18n/words.js';

export type GroupReportStrings = Record<KeyIn<'groupReport'>, string>;
export type GroupStrings = GroupReportStrings & Record<KeyIn<'groupPage'>, string>;

/** The group words of one locale: what the report is built with and the coordinator's page is sent. */
export const groupStringsOf = (words: Words): GroupStrings => ({ ...words.section('groupReport'), ...words.section('groupPage') });

/** The keys of the report's own words, for its `labels`. */
export const reportStringKeys = (words: Words): (keyof GroupReportStrings)[] => Object.keys(words.section('groupReport')) as (keyof GroupReportStrings)[];

/** Fills `{name}` placeholders. */
export const fillText = (text: string, values: Record<string, string | number>): string => text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
