import { Schema, model, type InferSchemaType } from 'mongoose';

/** 房屋: one dwelling of a building (and unit), with its floor area; retired, never removed. */
const roomSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    buildingId: { type: String, required: true },
    /** '' when the building has no units. */
    unitId: { type: String, default: '' },
    /** The door number as the office writes it: 1201, 3-502… */
    number: { type: String, required: true },
    floor: Number,
    /** 建筑面积, square metres */
    floorArea: { type: Number, required: true },
    retiredAt: Date,
  },
  { timestamps: true, versionKey: false },
);
// One room per door number in a building's unit: the room's _id is derived from them, so a duplicate is
// refused by the primary key itself (unique indexes beyond _id are not trusted on every backend).
roomSchema.index({ compoundId: 1, buildingId: 1 });
export type RoomDoc = InferSchemaType<typeof roomSchema>;
export const Room = model('Room', roomSchema, 'rooms');
