import { Schema, model } from 'mongoose';
import { RESIDENT_RELATIONS } from '../domain/people';

/** 住户: a person bound to a room as owner, tenant or family member; ended, never removed. */
const residenceSchema = new Schema(
  {
    /** `${userId}|${roomId}`: one binding per person and room. */
    _id: { type: String, required: true },
    compoundId: { type: String, required: true, index: true },
    userId: { type: String, required: true, index: true },
    roomId: { type: String, required: true },
    buildingId: { type: String, required: true },
    relation: { type: String, enum: RESIDENT_RELATIONS, required: true },
    endedAt: Date,
  },
  { timestamps: true, versionKey: false },
);
export const Residence = model('Residence', residenceSchema, 'residences');
