/**
 * How much any one actor can add to a matter. Every list and text a person adds to a workflow is capped
 * here, so no one can grow a workflow's history without limit (Temporal ends a workflow whose history
 * passes its size limit). Texts longer than `inlineTextChars` travel by reference: the API stores them
 * in MongoDB and the workflow carries only the reference and a short excerpt.
 */
export const LIMITS = {
  /** Titles of motions, orders, agenda items. */
  titleChars: 100,
  /** A meeting's place. */
  placeChars: 100,
  /** Reasons for postponing, extending, reassigning. */
  reasonChars: 200,
  /** Longer than this, a text goes by reference. */
  inlineTextChars: 200,
  /** The longest text a person may write (minutes, a motion's detail, a decision, evidence). */
  textChars: 10_000,
  /** A reference's excerpt, shown where the whole text is not needed (ledger summaries). */
  excerptChars: 60,
  motionsPerCouncil: 20,
  motionsPerMember: 3,
  /** The council's roster (its members, from which attendance is taken). */
  rosterMembers: 60,
  /** Participants named for a meeting, and attendance of meetings other than the council. */
  participants: 60,
  postponements: 3,
  agendaItems: 50,
  decisionsPerMeeting: 50,
  progressNotes: 30,
  extensions: 5,
  /** Voices: progress notes and deadline extensions per voice, reassignments per voice. */
  voiceProgressNotes: 30,
  voiceExtensions: 5,
  reassignments: 5,
} as const;

/** A long text stored in MongoDB (`texts`, by the SHA-256 of its content) and referred to by id. */
export interface TextRef {
  ref: string;
  excerpt: string;
}
export type LongText = string | TextRef;

const REF = /^text:[0-9a-f]{64}$/;

export function isTextRef(v: unknown): v is TextRef {
  const r = v as Partial<TextRef> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.ref === 'string' &&
    REF.test(r.ref) &&
    typeof r.excerpt === 'string' &&
    [...r.excerpt].length <= LIMITS.excerptChars + 1
  );
}

/** What a summary line shows of a long text: the text itself when short, else its excerpt. */
export function excerptOf(t: LongText | undefined): string {
  if (t === undefined) return '';
  return typeof t === 'string' ? t : t.excerpt;
}

/**
 * Checks a long text as a workflow receives it: a short string inline, or a well-formed reference.
 * Returns the problem in words, or undefined when it is fine.
 */
export function longTextProblem(t: unknown, label: string, required = true): string | undefined {
  if (t === undefined || t === null || (typeof t === 'string' && !t.trim())) {
    return required ? `请填写${label}` : undefined;
  }
  if (typeof t === 'string') {
    return [...t].length > LIMITS.inlineTextChars ? `${label}过长，须先保存为文本再引用` : undefined;
  }
  return isTextRef(t) ? undefined : `${label}的文本引用无效`;
}
