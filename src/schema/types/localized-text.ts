import type { LocalizedText } from "../../curriculum/model.js";
import { CURRICULUM } from "../auth/scopes.js";
import { builder } from "../builder.js";

export const LocalizedTextRef = builder.objectRef<LocalizedText>("LocalizedText").implement({
  description: "Text in Simplified Chinese and English.",
  authScopes: CURRICULUM,
  fields: (t) => ({
    zh: t.exposeString("zh"),
    en: t.exposeString("en"),
  }),
});
