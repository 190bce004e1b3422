/**
 * 党员表: the party members of the compound as an office lists them. Each row names a resident on
 * record by the phone the residents sheet names them by (stored, or in the same workbook's residents
 * sheet), with their name as a check; or a member registered by phone before they had an account.
 * Rows are registered through the same service as the API's registration (upsertPartyMember), so each
 * new member's find-and-link process starts once, and a re-import corrects the registration instead of
 * adding one. The branch and the office import it (partyMember:manage); its export, every phone in
 * full, is the office's only (partyMember:export), as the lists show phones in full to the office only.
 */
import { DomainError } from '../domain/errors';
import { PARTY_MEMBER_STATUSES, type PartyMemberType } from '../domain/party-members';
import { PARTY_MEMBERS_SHEET, type Line, type RowError, type RowOf } from '../domain/sheets';
import { PartyMember } from '../models/party-member';
import { User } from '../models/user';
import { sameParticulars, upsertPartyMember } from './party-members';
import {
  counts,
  inChunks,
  memberOf,
  peopleByPhone,
  registerSheet,
  rowError,
  type ImportContext,
  type Person,
} from './sheets';

type Row = RowOf<typeof PARTY_MEMBERS_SHEET.columns>;
const LIVE = PARTY_MEMBER_STATUSES.filter((s) => s !== 'withdrawn');
/** Registrations written at once: each starts (or updates) a process, a few round trips apiece. */
const PARALLEL = 8;

interface Planned {
  line: Line<Row>;
  /** A resident's registration (by their account), else a phone registration's correction. */
  resident: boolean;
}

const isResident = (u: Person, compoundId: string) =>
  u.memberships.some((m) => m.compoundId === compoundId && m.roles.includes('resident'));

/** The live registrations of these people: by their accounts, and by the phones of those made without. */
async function registrationsOf(compoundId: string, phones: string[], people: Map<string, Person>) {
  const keys = [...phones.map((p) => `phone:${p}`), ...[...people.values()].map((u) => `user:${u._id}`)];
  const found = await inChunks(keys, (chunk) =>
    PartyMember.find(
      { compoundId, naturalKey: { $in: chunk } },
      { naturalKey: 1, userId: 1, name: 1, phone: 1, type: 1, partyGroup: 1, relationLocation: 1 },
    ).lean(),
  );
  return new Map(found.map((m) => [m.naturalKey, m]));
}

async function check(ctx: ImportContext, lines: Line<Row>[]) {
  const errors: RowError[] = [];
  const outcome = counts();
  const fail = (row: number, key: keyof Row, reason: string) =>
    errors.push(rowError(PARTY_MEMBERS_SHEET, row, key, reason));
  const phones = lines.map((l) => l.value.phone);
  const people = await peopleByPhone(ctx.compoundId, phones);
  const registrations = await registrationsOf(ctx.compoundId, phones, people);
  const rowOfUser = new Map<string, number>();
  const planned: Planned[] = [];
  for (const line of lines) {
    const { row, value } = line;
    const u = people.get(value.phone);
    // Named by the residents sheet before: that sheet makes their account, or joins them as residents.
    const listed = ctx.people.get(value.phone);
    if (u?.deactivatedAt) {
      fail(row, 'phone', '该手机号的账号已停用，请先与管理员确认');
      continue;
    }
    const resident = u
      ? isResident(u, ctx.compoundId) || (listed !== undefined && !memberOf(u, ctx.compoundId))
      : listed !== undefined;
    const existing =
      (resident && u ? registrations.get(`user:${u._id}`) : undefined) ??
      registrations.get(`phone:${value.phone}`);
    if (!resident && !existing) {
      fail(row, 'phone', `本小区没有手机号为 ${value.phone} 的住户（可先在住户表中登记）`);
      continue;
    }
    const name = resident ? (listed?.name ?? u!.name) : existing!.name;
    if (value.name !== name) {
      fail(row, 'name', `与记录中的姓名“${name}”不同（手机号 ${value.phone}）`);
      continue;
    }
    if (u && resident) {
      const first = rowOfUser.get(u._id);
      if (first !== undefined) {
        fail(row, 'phone', `与第 ${first} 行是同一位住户`);
        continue;
      }
      rowOfUser.set(u._id, row);
    }
    if (!existing) outcome.created++;
    else {
      // What upsertPartyMember will change: the account taken, the copies of name and phone, the particulars.
      const phone = resident && u?.phone ? u.phone : value.phone;
      const changed =
        (resident && (!u || existing.userId !== u._id)) ||
        existing.name !== name ||
        existing.phone !== phone ||
        !sameParticulars({ ...existing, type: existing.type as PartyMemberType }, value);
      if (!changed) {
        outcome.unchanged++;
        continue;
      }
      outcome.updated++;
    }
    planned.push({ line, resident });
  }
  if (planned.length && !ctx.temporal)
    throw new Error('the 党员 sheet starts processes: importWorkbook needs opts.temporal');
  return { counts: outcome, errors, apply: () => apply(ctx, planned) };
}

/** The planned rows through upsertPartyMember, a few at a time; a re-run finds what a cut-off run did. */
async function apply(ctx: ImportContext, planned: Planned[]): Promise<string[]> {
  if (!planned.length) return [];
  // The accounts the residents sheet made in this import exist now: their ids, by phone.
  const now = await peopleByPhone(
    ctx.compoundId,
    planned.filter((p) => p.resident).map((p) => p.line.value.phone),
  );
  const deps = { temporal: ctx.temporal!, clock: ctx.clock };
  const write = async ({ line: { row, value }, resident }: Planned) => {
    const userId = resident ? now.get(value.phone)?._id : undefined;
    if (resident && !userId)
      throw new DomainError('conflict', `手机号 ${value.phone} 的账号未能建立，请重新导入`);
    const { name, phone, type, partyGroup, relationLocation } = value;
    await upsertPartyMember(
      ctx.compoundId,
      { userId, name, phone, type, partyGroup, relationLocation },
      ctx.actor,
      deps,
      (f) => `body.${PARTY_MEMBERS_SHEET.name}.${row}.${f === 'userId' ? 'phone' : f}`,
    );
  };
  for (let i = 0; i < planned.length; i += PARALLEL)
    await Promise.all(planned.slice(i, i + PARALLEL).map(write));
  return [];
}

registerSheet({
  def: PARTY_MEMBERS_SHEET,
  importPermission: 'partyMember:manage',
  exportPermission: 'partyMember:export',
  check,
  async exportRows(compoundId) {
    const members = await PartyMember.find({ compoundId, status: { $in: LIVE } }).lean();
    // The person as their account names them now: the phone the residents sheet knows them by.
    const userIds = members.flatMap((m) => (m.userId ? [m.userId] : []));
    const users = new Map(
      (
        await inChunks(userIds, (chunk) => User.find({ _id: { $in: chunk } }, { name: 1, phone: 1 }).lean())
      ).map((u) => [u._id, u]),
    );
    const rows = members.flatMap((m) => {
      const u = m.userId ? users.get(m.userId) : undefined;
      const phone = u?.phone ?? m.phone;
      if (!phone) return [];
      const { partyGroup, relationLocation } = m;
      return [
        { name: u?.name ?? m.name, phone, type: m.type as PartyMemberType, partyGroup, relationLocation },
      ];
    });
    // By party group, then name, in the order a Chinese list is read (拼音).
    const zh = (a: string, b: string) => a.localeCompare(b, 'zh-CN');
    return rows.sort(
      (a, b) => zh(a.partyGroup, b.partyGroup) || zh(a.name, b.name) || (a.phone < b.phone ? -1 : 1),
    );
  },
});
