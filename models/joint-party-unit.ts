import { Schema, model } from 'mongoose';
import { JOINT_UNIT_KINDS } from '../domain/party-members';

/** 联合党委成员单位: a unit or shop of the joint party committee, kept per compound; retired, never removed. */
const jointPartyUnitSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    name: { type: String, required: true },
    kind: { type: String, enum: JOINT_UNIT_KINDS, required: true },
    contactName: String,
    contactPhone: String,
    retiredAt: Date,
  },
  { timestamps: true },
);
jointPartyUnitSchema.index({ compoundId: 1, name: 1 }, { unique: true });
export const JointPartyUnit = model('JointPartyUnit', jointPartyUnitSchema, 'joint_party_units');
