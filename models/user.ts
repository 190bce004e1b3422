import { Schema, model, type InferSchemaType } from 'mongoose';
import { ROLES } from '../domain/roles';

const membershipSchema = new Schema(
  {
    /** A compound id, or '*' for an administrator of every compound. */
    compoundId: { type: String, required: true },
    roles: { type: [String], enum: ROLES, required: true },
  },
  { _id: false },
);

const userSchema = new Schema(
  {
    _id: { type: String, required: true },
    username: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    phone: String,
    /** 公民身份号码 (GB 11643), optional; read only where it is shown, masked but to account:manage. */
    idNumber: { type: String, select: false },
    /** scrypt hash, see api/auth.ts; never leaves the server. */
    passwordHash: { type: String, required: true, select: false },
    memberships: { type: [membershipSchema], default: [] },
    /** Party members living in the compound, to be linked to the branch (离退休 / 流动 / 在职). */
    partyMember: { type: String, enum: ['retired', 'mobile', 'inService'] },
    buildingId: String,
    /** Bumped when the password changes or the account is deactivated: tokens carrying an older one are refused. */
    tokenVersion: { type: Number, default: 0 },
    /** 停用: cannot sign in; the records that name this person stay. */
    deactivatedAt: Date,
  },
  { timestamps: true },
);
userSchema.index({ 'memberships.compoundId': 1 });
export type UserDoc = InferSchemaType<typeof userSchema>;
export const User = model('User', userSchema, 'users');
