import { Schema, model, type InferSchemaType } from 'mongoose';
import { CONTACT_METHODS, PARTY_MEMBER_STATUSES, PARTY_MEMBER_TYPES } from '../domain/party-members';

const contactSchema = new Schema(
  {
    eventId: { type: String, required: true },
    byUserId: { type: String, required: true },
    byName: { type: String, required: true },
    at: { type: Date, required: true },
    method: { type: String, enum: CONTACT_METHODS, required: true },
    note: String,
  },
  { _id: false },
);

/**
 * 党员登记: a party member living in the compound, to be found and linked to the branch. The API inserts
 * it; from then on its find-and-link workflow is its only writer (compare-and-set on `rev`).
 * The registry is the source of truth on who is a party member (not users.partyMember).
 */
const partyMemberSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    /** A resident account of the compound, when the member has one. */
    userId: String,
    name: { type: String, required: true },
    phone: String,
    /**
     * One live registration per person and compound: `user:<id>`, else `phone:<phone>`; a withdrawn
     * registration gives its key up (`withdrawn:<_id>`), so the person can be registered again.
     */
    naturalKey: { type: String, required: true },
    type: { type: String, enum: PARTY_MEMBER_TYPES, required: true },
    /** 党小组 */
    partyGroup: { type: String, required: true },
    /** 组织关系所在单位/地区 */
    relationLocation: { type: String, required: true },
    jointPartyUnitId: String,
    status: { type: String, enum: PARTY_MEMBER_STATUSES, required: true },
    contactDeadline: { type: Date, required: true },
    escalationLevel: { type: Number, default: 0 },
    contacts: { type: [contactSchema], default: [] },
    /** 在职党员报到: when they reported to the community. */
    reportedAt: Date,
    linkedAt: Date,
    withdrawnAt: Date,
    registeredBy: { userId: String, name: String },
    workflowId: { type: String, required: true },
    rev: { type: Number, default: 0 },
  },
  { timestamps: true },
);
partyMemberSchema.index({ compoundId: 1, naturalKey: 1 }, { unique: true });
partyMemberSchema.index({ compoundId: 1, status: 1, type: 1 });
partyMemberSchema.index({ compoundId: 1, partyGroup: 1 });
export type PartyMemberDoc = InferSchemaType<typeof partyMemberSchema> & { _id: string };
export const PartyMember = model('PartyMember', partyMemberSchema, 'party_members');
