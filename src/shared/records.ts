/**
 * The record envelope and one valibot schema per record type, used by the device
 * before saving and by the server before accepting. Every record is immutable:
 * a mistake is mended by a `correction`, a withdrawal by a `void`.
 */
import * as v from 'valibot'
import { UUID_RE } from './ids'
import type { MessageCode } from './messages'
import { LEVELS } from './org'
import { textLength } from './text'
import { parseInstant } from './time'

const msg = (code: MessageCode) => code

export const OUTCOMES = ['met', 'nobody_home', 'declined'] as const
export type Outcome = (typeof OUTCOMES)[number]

export const PURPOSES = ['policy', 'care', 'safety', 'opinion', 'mediation', 'other'] as const
export type Purpose = (typeof PURPOSES)[number]

export const NOTE_MAX = 2000
const ORG_PATH_RE = /^[a-z0-9_-]{1,40}(\/[a-z0-9_-]{1,40}){0,7}$/
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/

/**
 * No time a person enters is earlier than this (2020-01-01 in Beijing): a date
 * before it is a phone clock that was never set, and must not move a month's figures.
 */
export const TIME_FLOOR = Date.parse('2020-01-01T00:00:00+08:00')

/**
 * At most `max` characters as a person counts them (see text.ts). The limit
 * travels in the issue message as `code:max`, so the words can state it.
 */
export const maxChars = (max: number, code: MessageCode = 'text_too_long') =>
  v.check((s: string) => textLength(s) <= max, `${code}:${max}`)

const bodyTime = v.pipe(
  v.string(msg('bad_value')),
  v.regex(ISO_RE, msg('bad_value')),
  v.check((s: string) => parseInstant(s) >= TIME_FLOOR, msg('time_too_early')),
)
const isoTime = v.pipe(v.string(msg('bad_value')), v.regex(ISO_RE, msg('bad_value')))
const note = v.pipe(v.string(msg('bad_value')), maxChars(NOTE_MAX, 'note_too_long'))
const recordId = v.pipe(v.string(msg('bad_id')), v.regex(UUID_RE, msg('bad_id')))
const householdKey = v.pipe(v.string(msg('bad_value')), v.regex(/^\d{1,2}-\d{1,3}-\d{1,2}$/, msg('unknown_household')))

/**
 * Text a person must fill in. Blank (only spaces) counts as empty. The schema
 * checks but never trims: a record's content is hashed for idempotency, so the
 * device trims before saving (see the draft helpers) and the check must not
 * change what it is given.
 */
const filledText = (max: number, tooLong: MessageCode = 'text_too_long') =>
  v.pipe(v.string(msg('bad_value')), v.check((s) => s.trim().length > 0, msg('required')), maxChars(max, tooLong))

export const VisitBody = v.strictObject(
  {
    household: householdKey,
    outcome: v.picklist(OUTCOMES, msg('bad_value')),
    purposes: v.pipe(v.array(v.picklist(PURPOSES, msg('bad_value')), msg('bad_value')), v.maxLength(PURPOSES.length, msg('bad_value'))),
    note,
    visitedAt: bodyTime,
  },
  msg('invalid_record'),
)
export type VisitBody = v.InferOutput<typeof VisitBody>

// ---------------------------------------------------------------- feedback

export const FEEDBACK_CATEGORIES = ['environment', 'property', 'security', 'neighbour', 'repair', 'policy', 'other'] as const
export type FeedbackCategory = (typeof FEEDBACK_CATEGORIES)[number]

export const URGENCIES = ['normal', 'urgent'] as const
export type Urgency = (typeof URGENCIES)[number]

/** How the feedback was collected. */
export const CHANNELS = ['visit', 'reading', 'box', 'phone', 'wechat', 'other'] as const
export type Channel = (typeof CHANNELS)[number]

export const FEEDBACK_SOURCE_TYPES = ['visit', 'reading.session'] as const
export type FeedbackSourceType = (typeof FEEDBACK_SOURCE_TYPES)[number]

export const DESCRIPTION_MAX = 2000
export const EVENT_TEXT_MAX = 2000

export const FeedbackBody = v.strictObject(
  {
    category: v.picklist(FEEDBACK_CATEGORIES, msg('bad_value')),
    description: filledText(DESCRIPTION_MAX),
    /** only when the record's orgPath is a building (checked with context) */
    household: v.optional(householdKey),
    urgency: v.picklist(URGENCIES, msg('bad_value')),
    channel: v.picklist(CHANNELS, msg('bad_value')),
    /** the visit or reading session it was raised from */
    source: v.optional(
      v.strictObject({ type: v.picklist(FEEDBACK_SOURCE_TYPES, msg('bad_value')), id: recordId }, msg('invalid_record')),
    ),
    raisedAt: bodyTime,
  },
  msg('invalid_record'),
)
export type FeedbackBody = v.InferOutput<typeof FeedbackBody>

export const FEEDBACK_ACTIONS = ['comment', 'escalate', 'resolve', 'reopen', 'report_back'] as const
export type FeedbackAction = (typeof FEEDBACK_ACTIONS)[number]

/** How a resident was told what became of their matter (回访方式): 当面 / 电话 / 微信 / 其他. */
export const REPORT_BACK_HOWS = ['in_person', 'phone', 'wechat', 'other'] as const
export type ReportBackHow = (typeof REPORT_BACK_HOWS)[number]

/** What the resident said of the outcome (满意度): 满意 / 基本满意 / 不满意 / 未表态. */
export const RESIDENT_VIEWS = ['satisfied', 'fairly_satisfied', 'dissatisfied', 'no_view'] as const
export type ResidentView = (typeof RESIDENT_VIEWS)[number]

/** Levels feedback can be escalated to: every level but the lowest. */
export const ESCALATION_LEVELS = LEVELS.slice(0, -1) as readonly ('district' | 'street' | 'community' | 'group')[]

const eventBase = {
  feedback: recordId,
  // Every action carries words: the comment itself, why it goes up, how it was solved, why it is reopened.
  text: filledText(EVENT_TEXT_MAX),
}

/**
 * One step in a feedback's life. The action decides the extra field: an
 * escalation names the level it goes to (one above what the author saw), a
 * resolution the level the author claims to work at.
 */
export const FeedbackEventBody = v.variant(
  'action',
  [
    v.strictObject({ ...eventBase, action: v.literal('comment') }, msg('invalid_record')),
    v.strictObject(
      { ...eventBase, action: v.literal('escalate'), toLevel: v.picklist(ESCALATION_LEVELS, msg('cannot_escalate')) },
      msg('invalid_record'),
    ),
    v.strictObject({ ...eventBase, action: v.literal('resolve'), atLevel: v.picklist(LEVELS, msg('bad_value')) }, msg('invalid_record')),
    v.strictObject({ ...eventBase, action: v.literal('reopen') }, msg('invalid_record')),
    // 回访: the resident was told the outcome — when, how, and what they said of it
    v.strictObject(
      {
        ...eventBase,
        action: v.literal('report_back'),
        how: v.picklist(REPORT_BACK_HOWS, msg('bad_value')),
        residentView: v.picklist(RESIDENT_VIEWS, msg('bad_value')),
        reportedAt: bodyTime,
      },
      msg('invalid_record'),
    ),
  ],
  msg('bad_value'),
)
export type FeedbackEventBody = v.InferOutput<typeof FeedbackEventBody>

// ---------------------------------------------------------------- reading sessions

export const READER_MAX = 40
export const MATERIAL_MAX = 100
export const MATERIALS_MAX = 20
export const HEADCOUNT_MAX = 2000
/** Quick picks offered for materials; any other text is as good. */
export const MATERIAL_PICKS = ['人民日报', '云南日报', '昆明日报', '政策文件'] as const

const BUILDING_PATH_RE = /^[a-z0-9_-]{1,40}(\/[a-z0-9_-]{1,40}){4}$/

/** A named household at a reading session: a room in one of the buildings near the point. */
export const NamedHousehold = v.strictObject(
  {
    building: v.pipe(v.string(msg('bad_value')), v.regex(BUILDING_PATH_RE, msg('unknown_household'))),
    household: householdKey,
  },
  msg('invalid_record'),
)
export type NamedHousehold = v.InferOutput<typeof NamedHousehold>

export function namedHouseholdKey(h: NamedHousehold): string {
  return `${h.building}:${h.household}`
}

const hasNoDuplicates = (hs: readonly NamedHousehold[]) => new Set(hs.map(namedHouseholdKey)).size === hs.length

const sessionFields = {
  materials: v.pipe(
    v.array(filledText(MATERIAL_MAX), msg('bad_value')),
    v.maxLength(MATERIALS_MAX, msg('bad_value')),
  ),
  headCount: v.pipe(v.number(msg('bad_value')), v.integer(msg('bad_value')), v.minValue(0, msg('bad_value')), v.maxValue(HEADCOUNT_MAX, msg('bad_value'))),
  households: v.pipe(
    v.array(NamedHousehold, msg('bad_value')),
    v.maxLength(HEADCOUNT_MAX, msg('bad_value')),
    v.check((hs: NamedHousehold[]) => hasNoDuplicates(hs), msg('duplicate_household')),
  ),
  notes: note,
  endedAt: bodyTime,
}

export const ReadingSessionBody = v.pipe(
  v.strictObject(
    {
      startedAt: bodyTime,
      endedAt: sessionFields.endedAt,
      reader: filledText(READER_MAX),
      readerId: v.optional(v.pipe(v.string(msg('bad_value')), v.minLength(1, msg('bad_value')), v.maxLength(64, msg('bad_value')))),
      materials: sessionFields.materials,
      headCount: sessionFields.headCount,
      households: sessionFields.households,
      notes: sessionFields.notes,
    },
    msg('invalid_record'),
  ),
  v.forward(v.check((b) => Date.parse(b.endedAt) >= Date.parse(b.startedAt), msg('end_before_start')), ['endedAt']),
  // Every named household sent at least one person.
  v.forward(v.check((b) => b.headCount >= b.households.length, msg('headcount_below_named')), ['headCount']),
)
export type ReadingSessionBody = v.InferOutput<typeof ReadingSessionBody>

// ---------------------------------------------------------------- rounds: care list, household profiles

export const CARE_KINDS = ['alone_elderly', 'disabled', 'low_income', 'other'] as const
export type CareKind = (typeof CARE_KINDS)[number]

export const CARE_NOTE_MAX = 500

/**
 * Care categories that are sensitive personal information (PIPL Art. 28: health,
 * financial standing): putting a household on the care list with one of them needs
 * the resident's consent recorded with it (rule `consent_required`, rules.ts).
 */
export const SENSITIVE_CARE_KINDS: readonly CareKind[] = ['disabled', 'low_income']

/** How the resident agreed: 口头同意 / 书面同意. */
export const CONSENT_HOWS = ['oral', 'written'] as const
export type ConsentHow = (typeof CONSENT_HOWS)[number]

/** Who agreed: the resident, a family member, a guardian (never a name). */
export const CONSENT_BYS = ['self', 'family', 'guardian'] as const
export type ConsentBy = (typeof CONSENT_BYS)[number]

export const Consent = v.strictObject(
  { how: v.picklist(CONSENT_HOWS, msg('bad_value')), by: v.picklist(CONSENT_BYS, msg('bad_value')), at: bodyTime },
  msg('invalid_record'),
)
export type Consent = v.InferOutput<typeof Consent>

/**
 * A household on (or off) the care list. `consent` is how the resident agreed to a
 * sensitive category; `consentWithdrawn` is a withdrawal, which removes the category
 * (its kind is then never a sensitive one). Both optional and new beside version 1:
 * older bodies without them stay valid.
 */
export const CareFlagBody = v.strictObject(
  {
    household: householdKey,
    kind: v.picklist(CARE_KINDS, msg('bad_value')),
    intervalDays: v.pipe(v.number(msg('bad_value')), v.integer(msg('bad_value')), v.minValue(1, msg('bad_value')), v.maxValue(365, msg('bad_value'))),
    /** false takes the household off the care list */
    active: v.boolean(msg('bad_value')),
    note: v.optional(v.pipe(v.string(msg('bad_value')), maxChars(CARE_NOTE_MAX))),
    consent: v.optional(Consent),
    consentWithdrawn: v.optional(v.literal(true, msg('bad_value'))),
  },
  msg('invalid_record'),
)
export type CareFlagBody = v.InferOutput<typeof CareFlagBody>

export const DISPLAY_NAME_MAX = 20

/** The minimum a building leader keeps about a household: what to call them and how to ring them. */
export const HouseholdProfileBody = v.strictObject(
  {
    household: householdKey,
    displayName: v.pipe(v.string(msg('bad_value')), maxChars(DISPLAY_NAME_MAX, 'name_too_long')),
    phone: v.optional(v.pipe(v.string(msg('bad_phone')), v.regex(/^(1\d{10})?$/, msg('bad_phone')))),
  },
  msg('invalid_record'),
)
export type HouseholdProfileBody = v.InferOutput<typeof HouseholdProfileBody>

// ---------------------------------------------------------------- erasure (PIPL Art. 47)

export const ERASURE_REASON_MAX = 200

/**
 * Community staff erased a household's personal data (src/shared/erasure.ts): who
 * (authorId), when (serverTime), which household (orgPath + household) and why. The
 * reason is a short reason for the erasure (居民申请 / 已搬离), never the person's name.
 */
export const HouseholdErasureBody = v.strictObject(
  { household: householdKey, reason: filledText(ERASURE_REASON_MAX) },
  msg('invalid_record'),
)
export type HouseholdErasureBody = v.InferOutput<typeof HouseholdErasureBody>

// ---------------------------------------------------------------- volunteers, pairing, wishes (issue 18)

/** The kinds of volunteer team the seed names (党员 / 文化 / 法律 / 医疗卫生 / 环保 / 消防), and any other. */
export const TEAM_KINDS = ['party', 'culture', 'legal', 'medical', 'environment', 'fire', 'other'] as const
export type TeamKind = (typeof TEAM_KINDS)[number]

export const TEAM_NAME_MAX = 30
export const VOLUNTEER_NAME_MAX = 20
export const VOLUNTEER_TEXT_MAX = 100
export const SERVICE_NOTE_MAX = 500
export const SERVICE_HOURS_MAX = 24
export const SERVICE_HOUSEHOLDS_MAX = 50

const shortText = (max: number) => v.pipe(v.string(msg('bad_value')), maxChars(max))
const phone = v.pipe(v.string(msg('bad_phone')), v.regex(/^1\d{10}$/, msg('bad_phone')))
const days = v.pipe(v.number(msg('bad_value')), v.integer(msg('bad_value')), v.minValue(1, msg('bad_value')), v.maxValue(365, msg('bad_value')))

/**
 * A volunteer team (志愿者队伍), on a community or group. A later record naming
 * the first in `of` replaces its fields (latest in log order wins); `active:
 * false` retires the team. Its leader is a registered volunteer's id.
 */
export const VolunteerTeamBody = v.strictObject(
  {
    name: filledText(TEAM_NAME_MAX),
    kind: v.picklist(TEAM_KINDS, msg('bad_value')),
    leader: v.optional(recordId),
    active: v.boolean(msg('bad_value')),
    of: v.optional(recordId),
  },
  msg('invalid_record'),
)
export type VolunteerTeamBody = v.InferOutput<typeof VolunteerTeamBody>

/**
 * A registered volunteer (志愿者登记), on a community or group: a person, with or
 * without an account. An account is linked by phone: a `volunteer` account
 * whose phone is this one acts as this volunteer. Updated like a team (`of`).
 */
export const VolunteerBody = v.strictObject(
  {
    name: filledText(VOLUNTEER_NAME_MAX, 'name_too_long'),
    phone: v.optional(phone),
    team: v.optional(recordId),
    /** what they are good at, e.g. 理发、电工 */
    skills: shortText(VOLUNTEER_TEXT_MAX),
    /** when they are free, e.g. 周末上午 */
    availability: shortText(VOLUNTEER_TEXT_MAX),
    active: v.boolean(msg('bad_value')),
    of: v.optional(recordId),
  },
  msg('invalid_record'),
)
export type VolunteerBody = v.InferOutput<typeof VolunteerBody>

/**
 * Pairing (结对): a volunteer looks after a household, on the household's
 * building, every `intervalDays`. `of` + `active: false` ends it.
 */
export const PairingBody = v.strictObject(
  {
    volunteer: recordId,
    /** the volunteer's name when paired: the building leader's care list names them without the community's register */
    volunteerName: filledText(VOLUNTEER_NAME_MAX, 'name_too_long'),
    household: householdKey,
    startsAt: bodyTime,
    intervalDays: days,
    active: v.boolean(msg('bad_value')),
    of: v.optional(recordId),
  },
  msg('invalid_record'),
)
export type PairingBody = v.InferOutput<typeof PairingBody>

export const SERVICE_KINDS = ['care_visit', 'companionship', 'chores', 'repair', 'health', 'publicity', 'other'] as const
export type ServiceKind = (typeof SERVICE_KINDS)[number]

const hours = v.pipe(
  v.number(msg('bad_value')),
  v.check((h: number) => Number.isFinite(h) && h > 0 && h <= SERVICE_HOURS_MAX && Number.isInteger(h * 2), msg('bad_hours')),
)
const serviceHouseholds = v.pipe(
  v.array(householdKey, msg('bad_value')),
  v.maxLength(SERVICE_HOUSEHOLDS_MAX, msg('bad_value')),
  v.check((hs: string[]) => new Set(hs).size === hs.length, msg('duplicate_household')),
)

/**
 * One volunteer service (志愿服务), by the volunteer or the leader who organised
 * it: who, what, when, how many hours (half hours, at most 24), and the
 * households helped, which then live in the record's building (a service
 * without households may sit on a group or community). A wrong entry is mended
 * by a correction or void, like a visit.
 */
export const ServiceBody = v.strictObject(
  {
    volunteer: recordId,
    kind: v.picklist(SERVICE_KINDS, msg('bad_value')),
    note: shortText(SERVICE_NOTE_MAX),
    servedAt: bodyTime,
    hours,
    households: serviceHouseholds,
  },
  msg('invalid_record'),
)
export type ServiceBody = v.InferOutput<typeof ServiceBody>

export const WISH_CATEGORIES = ['daily_goods', 'repair', 'companionship', 'health', 'study', 'other'] as const
export type WishCategory = (typeof WISH_CATEGORIES)[number]
export const WISH_TEXT_MAX = 100
export const WISH_COST_MAX = 2000

/**
 * A 微心愿 on the wall, on the resident's building: what, a short description
 * without the resident's name, and the most it may cost (whole yuan). Where the
 * resident lives is in a `wish.address` of its own, which only leaders and the
 * claiming volunteer receive.
 */
export const WishBody = v.strictObject(
  {
    category: v.picklist(WISH_CATEGORIES, msg('bad_value')),
    description: filledText(WISH_TEXT_MAX),
    costCap: v.pipe(v.number(msg('bad_value')), v.integer(msg('bad_value')), v.minValue(0, msg('bad_value')), v.maxValue(WISH_COST_MAX, msg('bad_value'))),
    postedAt: bodyTime,
  },
  msg('invalid_record'),
)
export type WishBody = v.InferOutput<typeof WishBody>

/** The wish's household and how to reach them: kept apart from the wish so volunteers see it only once they claim. */
export const WishAddressBody = v.strictObject(
  {
    wish: recordId,
    household: householdKey,
    contact: shortText(WISH_TEXT_MAX),
  },
  msg('invalid_record'),
)
export type WishAddressBody = v.InferOutput<typeof WishAddressBody>

export const WISH_ACTIONS = ['claim', 'release', 'fulfil', 'confirm', 'withdraw'] as const
export type WishAction = (typeof WISH_ACTIONS)[number]

const wishEventBase = { wish: recordId, at: bodyTime, note: shortText(SERVICE_NOTE_MAX) }

/**
 * A step in a wish's life: a volunteer claims it (认领, naming the volunteer),
 * gives it back (release), fulfils it (圆梦, with a note); the leader confirms
 * with the resident (confirm) or takes it down (withdraw).
 */
export const WishEventBody = v.variant(
  'action',
  [
    v.strictObject({ ...wishEventBase, action: v.literal('claim'), volunteer: recordId }, msg('invalid_record')),
    v.strictObject({ ...wishEventBase, action: v.literal('fulfil'), note: filledText(SERVICE_NOTE_MAX) }, msg('invalid_record')),
    v.strictObject({ ...wishEventBase, action: v.picklist(['release', 'confirm', 'withdraw'] as const, msg('bad_value')) }, msg('invalid_record')),
  ],
  msg('bad_value'),
)
export type WishEventBody = v.InferOutput<typeof WishEventBody>

// ---------------------------------------------------------------- corrections and voids

/** Fields a correction may change, by target type. */
export const CORRECTABLE = {
  visit: v.strictObject(
    {
      outcome: v.optional(VisitBody.entries.outcome),
      purposes: v.optional(VisitBody.entries.purposes),
      note: v.optional(note),
      visitedAt: v.optional(bodyTime),
    },
    msg('invalid_record'),
  ),
  'reading.session': v.pipe(
    v.strictObject(
      {
        materials: v.optional(sessionFields.materials),
        headCount: v.optional(sessionFields.headCount),
        households: v.optional(sessionFields.households),
        notes: v.optional(sessionFields.notes),
        endedAt: v.optional(sessionFields.endedAt),
      },
      msg('invalid_record'),
    ),
    // Only checkable when both change together; against the session's current values see checkSessionCorrection.
    v.forward(
      v.check((f) => f.headCount === undefined || f.households === undefined || f.headCount >= f.households.length, msg('headcount_below_named')),
      ['headCount'],
    ),
  ),
  'volunteer.service': v.strictObject(
    {
      kind: v.optional(ServiceBody.entries.kind),
      note: v.optional(ServiceBody.entries.note),
      servedAt: v.optional(bodyTime),
      hours: v.optional(ServiceBody.entries.hours),
    },
    msg('invalid_record'),
  ),
} as const

/** Record types a correction or a void may target. Feedback has none: its events are its history. */
export const AMENDABLE_TYPES = ['visit', 'reading.session', 'volunteer.service'] as const
export type AmendableType = (typeof AMENDABLE_TYPES)[number]

const correctionBase = {
  target: recordId,
  reason: v.optional(v.pipe(v.string(msg('bad_value')), maxChars(500))),
}

export const CorrectionBody = v.variant(
  'targetType',
  [
    v.strictObject({ ...correctionBase, targetType: v.literal('visit'), fields: CORRECTABLE.visit }, msg('invalid_record')),
    v.strictObject(
      { ...correctionBase, targetType: v.literal('reading.session'), fields: CORRECTABLE['reading.session'] },
      msg('invalid_record'),
    ),
    v.strictObject(
      { ...correctionBase, targetType: v.literal('volunteer.service'), fields: CORRECTABLE['volunteer.service'] },
      msg('invalid_record'),
    ),
  ],
  msg('bad_value'),
)
export type CorrectionBody = v.InferOutput<typeof CorrectionBody>

export const VoidBody = v.strictObject(
  {
    target: recordId,
    reason: v.pipe(v.string(msg('bad_value')), v.minLength(1, msg('required')), maxChars(500)),
  },
  msg('invalid_record'),
)
export type VoidBody = v.InferOutput<typeof VoidBody>

// ---------------------------------------------------------------- ledger

const weight = v.pipe(v.number(msg('bad_value')), v.integer(msg('bad_value')), v.minValue(0, msg('bad_value')), v.maxValue(100, msg('bad_value')))

/**
 * The weights a street ranks its communities by (see src/shared/ledger.ts), set
 * by street staff as a record on the street, so who changed them and when is in
 * the log. Integers 0–100; at least one above 0.
 */
export const LedgerWeightsBody = v.strictObject(
  {
    weights: v.pipe(
      v.strictObject(
        { coverage: weight, careOnTime: weight, selfGovernance: weight, replyResolve: weight, activeLeaders: weight },
        msg('invalid_record'),
      ),
      v.check((w) => Object.values(w).some((x) => x > 0), msg('bad_value')),
    ),
  },
  msg('invalid_record'),
)
export type LedgerWeightsBody = v.InferOutput<typeof LedgerWeightsBody>

export const BODY_SCHEMAS = {
  visit: VisitBody,
  correction: CorrectionBody,
  void: VoidBody,
  feedback: FeedbackBody,
  'feedback.event': FeedbackEventBody,
  'reading.session': ReadingSessionBody,
  'care.flag': CareFlagBody,
  'household.profile': HouseholdProfileBody,
  'ledger.weights': LedgerWeightsBody,
  'household.erasure': HouseholdErasureBody,
  'volunteer.team': VolunteerTeamBody,
  volunteer: VolunteerBody,
  'volunteer.pairing': PairingBody,
  'volunteer.service': ServiceBody,
  wish: WishBody,
  'wish.address': WishAddressBody,
  'wish.event': WishEventBody,
} as const

export type RecordType = keyof typeof BODY_SCHEMAS
export const RECORD_TYPES = Object.keys(BODY_SCHEMAS) as RecordType[]
export type BodyOf<T extends RecordType> = v.InferOutput<(typeof BODY_SCHEMAS)[T]>

/** Current schema version of each body. */
export const BODY_VERSION: Record<RecordType, number> = {
  visit: 1,
  // still 1: reading-session corrections were added beside visit ones, which are unchanged
  correction: 1,
  void: 1,
  feedback: 1,
  'feedback.event': 1,
  'reading.session': 1,
  'care.flag': 1,
  'household.profile': 1,
  'ledger.weights': 1,
  'household.erasure': 1,
  'volunteer.team': 1,
  volunteer: 1,
  'volunteer.pairing': 1,
  'volunteer.service': 1,
  wish: 1,
  'wish.address': 1,
  'wish.event': 1,
}

export const Envelope = v.strictObject(
  {
    id: recordId,
    type: v.picklist(RECORD_TYPES, msg('unknown_type')),
    v: v.pipe(v.number(msg('bad_value')), v.integer(msg('bad_value')), v.minValue(1, msg('bad_value')), v.maxValue(1000, msg('bad_value'))),
    orgPath: v.pipe(v.string(msg('bad_value')), v.regex(ORG_PATH_RE, msg('out_of_scope'))),
    authorId: v.pipe(v.string(msg('bad_value')), v.minLength(1, msg('bad_value')), v.maxLength(64, msg('bad_value'))),
    deviceId: v.pipe(v.string(msg('bad_value')), v.minLength(1, msg('bad_value')), v.maxLength(64, msg('bad_value'))),
    clientTime: isoTime,
    body: v.unknown(),
  },
  msg('invalid_record'),
)

/** The envelope of one record type, as made on the device. */
export interface RecordOfType<T extends RecordType> {
  id: string
  type: T
  v: number
  orgPath: string
  authorId: string
  deviceId: string
  clientTime: string
  body: BodyOf<T>
}

/**
 * A record as made on the device, before the server has seen it. A union keyed
 * by `type`, so checking `r.type` narrows `r.body`.
 */
export type LocalRecord<T extends RecordType = RecordType> = { [K in T]: RecordOfType<K> }[T]

/** A record once the server accepted it: `seq` orders everything. */
export type StoredRecord<T extends RecordType = RecordType> = { [K in T]: RecordOfType<K> & { seq: number; serverTime: string } }[T]

/** On the device a record may or may not have come back from the server yet. */
export type AnyRecord<T extends RecordType = RecordType> = { [K in T]: RecordOfType<K> & { seq?: number; serverTime?: string } }[T]

/**
 * A record of one type seen as a record of any type. TypeScript cannot see that
 * a record of a generic type `T` is one member of the union, so generic code
 * (save, resend) widens through this one function instead of casting at each call.
 */
export function widenRecord<T extends RecordType>(record: AnyRecord<T>): AnyRecord {
  return record as AnyRecord
}

export interface RecordIssue {
  code: MessageCode
  /** dot path of the offending field, e.g. `body.note` */
  path: string
  /** for a text that is too long: the most characters the field takes */
  max?: number
}

export type CheckResult<T> = { ok: true; record: T } | { ok: false; issue: RecordIssue }

function firstIssue(issues: readonly v.BaseIssue<unknown>[], prefix: string): RecordIssue {
  const issue = issues[0]!
  const dot = v.getDotPath(issue)
  // every message in these schemas is a MessageCode, with `:max` for a length limit (maxChars)
  const [code, max] = issue.message.split(':') as [MessageCode, string | undefined]
  return { code, path: dot ? `${prefix}${dot}` : prefix.replace(/\.$/, '') || '', ...(max ? { max: Number(max) } : {}) }
}

/**
 * Checks a record's shape: envelope then body. Context checks (scope, household
 * in building, time not in the future, author) live with whoever has the context.
 */
export function checkRecordShape(input: unknown): CheckResult<LocalRecord> {
  const env = v.safeParse(Envelope, input)
  if (!env.success) return { ok: false, issue: firstIssue(env.issues, '') }
  const type = env.output.type
  const body = v.safeParse(BODY_SCHEMAS[type], env.output.body)
  if (!body.success) return { ok: false, issue: firstIssue(body.issues, 'body.') }
  return { ok: true, record: { ...env.output, body: body.output } as LocalRecord }
}

/** A day of clock drift is tolerated; beyond that a time is "in the future". */
export const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000

export function isTooFarInFuture(iso: string, now: number): boolean {
  const t = parseInstant(iso)
  return Number.isNaN(t) || t > now + FUTURE_TOLERANCE_MS
}
