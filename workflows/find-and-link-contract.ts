/**
 * The find-and-link process's messages and shapes, defined once: the workflow registers them, the API
 * service sends them.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  ContactMethod,
  PartyMemberSettings,
  PartyMemberStatus,
  PartyMemberType,
} from '../domain/party-members';
import type { Actor } from './contract';

export interface FindAndLinkInput {
  partyMemberId: string;
  compoundId: string;
  type: PartyMemberType;
  partyGroup: string;
  registeredAt: string;
  timeZone: string;
  /** Computed at registration (working days need China's calendar, read outside workflow code). */
  contactDeadline: string;
  settings: PartyMemberSettings;
}

export interface ContactRecord {
  eventId: string;
  byUserId: string;
  byName: string;
  at: string;
  method: ContactMethod;
  note?: string;
}

export interface FindAndLinkState {
  partyMemberId: string;
  compoundId: string;
  status: PartyMemberStatus;
  escalationLevel: number;
  contactDeadline: string;
  contacts: ContactRecord[];
  jointPartyUnitId?: string;
  reportedAt?: string;
  linkedAt?: string;
  withdrawnAt?: string;
  remindersSent: string[];
  /** Bumped by every change: the read model's compare-and-set. */
  rev: number;
}

export interface RecordContactArgs {
  actor: Actor;
  at: string;
  method: ContactMethod;
  note?: string;
}

export const recordContactUpdate = defineUpdate<FindAndLinkState, [RecordContactArgs]>('recordContact');
export const linkPartyMemberUpdate = defineUpdate<
  FindAndLinkState,
  [{ actor: Actor; jointPartyUnitId?: string }]
>('linkPartyMember');
export const reportInServiceUpdate = defineUpdate<FindAndLinkState, [{ actor: Actor; at: string }]>(
  'reportInService',
);
export const withdrawPartyMemberUpdate = defineUpdate<FindAndLinkState, [{ actor: Actor; reason: string }]>(
  'withdrawPartyMember',
);
export const partyMemberStatusQuery = defineQuery<FindAndLinkState>('partyMemberStatus');
