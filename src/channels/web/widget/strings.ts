/**
 * The widget's own interface words: the `widget` section of the locale
 * catalogue (locales/<locale>.yaml), fetched from the server for the locale
 * chosen (GET /api/widget-words), so that the bundle carries no language of
 * its own. Everything about the assessment itself (questions, answers,
 * results) comes from the server with the conversation, already localised.
 */
import { renderParts, type MessagePart, type MessageValues } from '../../../core/i18n/message-format.js';
// Types only: nothing of the catalogues' loader reaches the bundle.
import type { ArgsOf, KeyIn } from '../../../i18n/words.js';

export type WidgetKey = KeyIn<'widget'>;
/** Each message parsed by the server (see renderParts): the bundle needs no parser. */
export type WidgetWords = Record<WidgetKey, MessagePart[]>;

export interface Strings {
  readonly locale: string;
  t<K extends WidgetKey>(key: K, ...args: ArgsOf<`widget.${K}`>): string;
}

/** The words of one locale, formatted in it (dates and times in the person's own time zone). */
export function stringsFor(locale: string, words: WidgetWords): Strings {
  return {
    locale,
    t: (key, ...args) => renderParts(words[key] ?? [key], (args[0] ?? {}) as MessageValues, { locale }),
  };
}
