/**
 * Error and rejection messages shared by server and device, so a person sees the
 * same plain words whichever side noticed the problem. zh-CN first.
 */
export const MESSAGES = {
  // request-level
  bad_request: ['请求格式不正确', 'The request is malformed'],
  bad_json: ['数据格式不正确，无法读取', 'The data could not be read (malformed JSON)'],
  unauthorized: ['登录已过期，请重新登录', 'Your login has expired; please log in again'],
  account_disabled: ['此账号已停用，请联系社区', 'This account has been disabled; please contact the community'],
  forbidden: ['没有权限查看或修改这些内容', 'You are not allowed to see or change this'],
  not_found: ['找不到该内容', 'Not found'],
  wrong_password: ['手机号或密码不正确。忘记密码请找{contact}重设', 'Wrong phone number or password. If you forgot it, ask {contact} to reset it'],
  login_throttled: ['密码错误次数太多，请{wait}后再试；忘记密码请找{contact}重设', 'Too many wrong passwords; try again in {wait}, or ask {contact} to reset it'],
  rate_limited: ['尝试次数过多，请稍后再试', 'Too many attempts; please try again later'],
  too_large: ['一次上传的数据太多，请分批上传', 'Too much data in one upload; send it in smaller batches'],
  database_restored: ['服务器已从备份恢复，手机会先重新上传服务器缺少的记录', 'The server was restored from a backup; this phone first sends again what it lacks'],
  push_limited: ['上传太频繁，记录仍保存在手机上，稍后会自动再传', 'Too many uploads for now; your records are kept on this device and will be sent again later'],
  outdated_client: ['应用版本过旧，请刷新页面更新', 'This app version is too old; refresh the page to update'],
  storage_full: ['手机存储空间已满，记录没有保存', 'The phone storage is full; the record was not saved'],
  missing_record: ['这条记录在手机上找不到了，无法上传', 'This record is no longer on the phone, so it cannot be sent'],
  server_error: ['服务器出错了，记录仍保存在手机上', 'Server error; your records are still kept on this device'],
  // per record
  invalid_record: ['记录格式不正确', 'The record is malformed'],
  unknown_type: ['不认识的记录类型', 'Unknown kind of record'],
  bad_id: ['记录编号不正确', 'The record id is invalid'],
  out_of_scope: ['不在您负责的范围内', 'Outside the area you are responsible for'],
  wrong_author: ['记录的作者与登录账号不符', 'The record author does not match the logged-in account'],
  unknown_household: ['该户不在此楼栋', 'That household is not in this building'],
  unknown_target: ['要更改的记录不存在', 'The record to change does not exist'],
  future_time: ['时间不能晚于现在一天以上，请检查手机时间', 'The time is more than a day in the future; check the phone clock'],
  time_too_early: ['时间早于 2020 年，请检查手机时间', 'The time is before 2020; check the phone clock'],
  note_too_long: ['备注太长，最多 {max} 字', 'The note is too long ({max} characters at most)'],
  text_too_long: ['文字太长，最多 {max} 字', 'The text is too long ({max} characters at most)'],
  bad_value: ['填写的内容不正确', 'A value is not valid'],
  required: ['有必填项未填写', 'A required field is empty'],
  conflict: ['同一编号的记录内容不同', 'A record with this id already exists with different content'],
  // feedback, reading sessions, rounds
  cannot_escalate: ['已到最高层级（区），不能再往上报', 'This is already the highest level (district); it cannot go further up'],
  wrong_level: ['不能替其他层级上报或办结', 'You cannot escalate or resolve on behalf of another level'],
  already_resolved: ['该意见已解决', 'This feedback has already been resolved'],
  not_resolved: ['该意见尚未解决，无需重新打开', 'This feedback is not resolved, so there is nothing to reopen'],
  superseded: ['已被更早同步的处理取代', 'Overtaken by an action that reached the server first'],
  duplicate_household: ['同一户在一次活动中只能登记一次', 'A household can be listed only once per session'],
  headcount_below_named: ['参与人数不能少于已登记的户数', 'The head count cannot be lower than the number of named households'],
  end_before_start: ['结束时间不能早于开始时间', 'The end time cannot be before the start time'],
  name_too_long: ['称呼太长，最多 {max} 字', 'The name is too long ({max} characters at most)'],
  bad_phone: ['手机号应为以 1 开头的 11 位数字', 'A phone number is 11 digits starting with 1'],
  not_amendable: ['这类记录不能更正或撤回', 'This kind of record cannot be corrected or withdrawn'],
  // personal information (PIPL)
  consent_required: ['登记为困难或残疾关爱对象需记录居民同意方式', 'A sensitive care category needs the resident\'s consent recorded'],
  not_staff: ['只有社区工作人员可以删除住户个人信息', 'Only community staff can erase a household\'s personal information'],
  // trust: who may act on what
  not_your_record: [
    '只有记录人本人，或负责该处的上级，才能更正或撤回这条记录',
    'Only the person who made this record, or someone above them whose area covers it, can correct or withdraw it',
  ],
  held_elsewhere: ['已上报到{level}', 'it had already been passed up (now with: {level})'],
  not_yet_here: ['当时仍由{level}处理', 'it was not yet passed up (still with: {level})'],
  cannot_reopen: [
    '只有提出人，或办结层级及以上的人员，才能重新打开',
    'Only the person who raised it, or someone at or above the level that resolved it, can reopen it',
  ],
  cannot_report_back: [
    '只有提出人，或办结该事项的层级，才能登记回访',
    'Only the person who raised it, or the level that resolved it, can record reporting back',
  ],
  unknown_source: ['关联的走访或读报活动不存在，或不在您的范围内', 'The linked visit or reading session does not exist or is outside your area'],
  id_claimed: ['这个记录编号已被其他人的记录占用', 'This record id is already taken by someone else\'s record'],
  // handing over (src/shared/handover.ts)
  cannot_hand_over: ['这条记录不需要交给社区，可以修改后重新上传', 'This record does not need handing over; mend it and send it again'],
  already_decided: ['社区已经处理过这条记录', 'Community staff have already dealt with this record'],
  // volunteers and the 微心愿 wall (src/shared/volunteers.ts, wishes.ts)
  bad_hours: ['服务时长应在 0.5 到 24 小时之间，按半小时计', 'Hours are from 0.5 to 24, in half hours'],
  not_for_volunteers: ['志愿者账号只能记录服务和认领心愿', 'A volunteer account can only record services and claim wishes'],
  leaders_only: ['只有社区工作人员或居民小组长才能登记志愿者、队伍和结对', 'Only community staff or resident group leaders can register volunteers and teams or pair them'],
  not_your_volunteer: ['只能以您本人的志愿者身份记录', 'You can only record as yourself'],
  unknown_volunteer: ['找不到这位志愿者，或不在本社区', 'That volunteer is not registered in this community'],
  wish_taken: ['这个心愿已被认领或已完成', 'This wish has already been claimed or fulfilled'],
  wish_not_yours: ['只有认领人或负责的人员才能这样做', 'Only the volunteer who claimed it, or the leaders, can do this'],
  wish_wrong_state: ['心愿当前的状态不能这样操作', 'The wish is not in a state that allows this'],
  // accounts and passwords (src/shared/password.ts, src/shared/accounts.ts)
  password_short: ['密码至少要 8 位', 'A password needs at least 8 characters'],
  password_long: ['密码太长，最多 200 位', 'The password is too long (200 characters at most)'],
  password_phone: ['密码不能用手机号', 'The password cannot be the phone number'],
  password_common: ['这个密码太常见，很容易被猜到，请换一个', 'This password is too common and easy to guess; choose another'],
  wrong_current_password: ['当前密码不正确', 'The current password is wrong'],
  password_change_required: ['请先设置新密码（您用的是一次性密码）', 'Choose a new password first (you logged in with a one-time code)'],
  phone_taken: ['这个手机号已经有账号了', 'An account with this phone number already exists'],
  role_not_allowed: ['您不能设置这个角色', 'You cannot give this role'],
  scope_not_allowed: ['负责范围不在您的管辖内，或与角色不符（楼栋长选楼栋，居民小组长选居民小组）', 'The area is outside yours, or does not fit the role (a building leader takes buildings, a group leader a group)'],
  cannot_manage_self: ['自己的账号请在"修改密码"里修改', 'Change your own account under "Change password"'],
} as const satisfies Record<string, readonly [string, string]>

export type MessageCode = keyof typeof MESSAGES
export type Lang = 'zh-CN' | 'en'

/** Values some messages name: `{max}` characters, the `{level}` an item went up to (already in words). */
export interface MessageParams {
  max?: number
  level?: string
  /** whom to ask about a forgotten password, in words: `明通巷社区(电话 0871-…)`; default the community's staff */
  contact?: string
  /** how long to wait, in words (waitWords: ` 2 分钟`, `2 minutes`); default 稍 / a while */
  wait?: string
}

/** Whom to ask when nothing better is known. */
const DEFAULT_CONTACT = { 'zh-CN': '社区工作人员', en: 'your community staff' } as const

/**
 * The message for `code` in `lang`, with `{max}` / `{level}` filled from
 * `params`. A placeholder without a value is dropped with the words around it
 * kept readable (older callers that know no limit still get a sentence).
 */
export function message(code: MessageCode, lang: Lang = 'zh-CN', params: MessageParams = {}): string {
  const pair = MESSAGES[code]
  const text: string = lang === 'en' ? pair[1] : pair[0]
  return text
    .replace(/[,,]?\s*最多 \{max\} 字|\s*\(\{max\} characters at most\)/, (m) => (params.max === undefined ? '' : m.replace('{max}', String(params.max))))
    .replace('{level}', params.level ?? '')
    .replace('{contact}', params.contact ?? DEFAULT_CONTACT[lang])
    .replace('{wait}', params.wait ?? (lang === 'en' ? 'a while' : '稍'))
}

/**
 * "2 分钟" / "2 minutes": a wait of `seconds` in words, rounded up to whole minutes
 * from one minute on, for login_throttled.
 */
export function waitWords(seconds: number, lang: Lang): string {
  if (seconds < 60) return lang === 'en' ? `${seconds} second${seconds === 1 ? '' : 's'}` : ` ${seconds} 秒`
  const minutes = Math.ceil(seconds / 60)
  return lang === 'en' ? `${minutes} minute${minutes === 1 ? '' : 's'}` : ` ${minutes} 分钟`
}

/**
 * Whom to ask, in words, for a person of the community named `community` whose
 * office phone is `phone` (either may be missing).
 */
export function contactWords(community: string | null, phone: string | null, lang: Lang): string {
  if (!community) return DEFAULT_CONTACT[lang]
  if (lang === 'en') return `the staff of ${community}${phone ? ` (phone ${phone})` : ''}`
  return `${community}工作人员${phone ? `(电话 ${phone})` : ''}`
}

export function isMessageCode(s: string): s is MessageCode {
  return Object.hasOwn(MESSAGES, s)
}

/** Picks zh-CN unless the Accept-Language header prefers English. */
export function langFromAcceptLanguage(header: string | undefined): Lang {
  if (!header) return 'zh-CN'
  const first = header.split(',')[0]?.trim().toLowerCase() ?? ''
  return first.startsWith('en') ? 'en' : 'zh-CN'
}
