export { residentVoice } from './voice';
