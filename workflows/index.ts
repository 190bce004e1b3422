export { residentVoice } from './voice';
export { monthlyConsultation } from './monthly-consultation';
export { periodicCoordination } from './periodic-coordination';
export { quarterlyDeliberation } from './quarterly-deliberation';
export { annualEvaluation } from './annual-evaluation';
export { rectificationOrder } from './rectification';
export { governanceCycle } from './governance-cycle';
export { findAndLink } from './find-and-link';
