import { logto } from '../../logto';

export const { GET, POST } = logto.handlers;
