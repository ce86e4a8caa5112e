/**
 * The widget's words: the `widget` section of the locale catalogue that best
 * fits what the page and the browser prefer, with the locales offered (for
 * its language switch). Only that section, of that one locale, goes to the
 * browser, each message parsed (src/core/i18n/message-format.ts): nothing of
 * the catalogues, nor the message parser, is built into the widget's bundle.
 */
import { Router } from 'express';
import type { Message } from '../../core/messages.js';
import type { Locales } from '../../i18n/words.js';
import { CachedJson } from './cached-json.js';
import { parseInput } from './http-errors.js';
import { WidgetWordsQuery } from './schemas.js';

/** The words change only with a deployment; a few minutes of caching spares a request per page view. */
const MAX_AGE_SECONDS = 300;

/**
 * With the words, the introduction in the same language: the widget shows it
 * as soon as the words arrive, without another round trip (on a slow
 * network each one is most of a second).
 */
export function wordsRouter(locales: Locales, introduction: (locale: string) => Message[]): Router {
  const router = Router();
  const cache = new CachedJson(MAX_AGE_SECONDS);
  router.get('/widget-words', (req, res) => {
    const { prefer } = parseInput(WidgetWordsQuery, req.query, 'query');
    const locale = locales.negotiate((prefer ?? '').split(','));
    cache.send(req, res, locale, () => ({ locale, languages: locales.languages(), words: locales.words(locale).parsedSection('widget'), introduction: introduction(locale) }));
  });
  return router;
}
