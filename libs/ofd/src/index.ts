export {
  writeOfd,
  sealPlaces,
  SEAL_PLACES,
  type OfdSealPlace,
  OFD_NS,
  OFD_PATHS,
  PT_TO_MM,
  num,
  rgb,
  type OfdOptions,
  type OfdFontSource,
  type Face,
} from './writer';
export { packOfd, unpackOfd, resolveLoc, type OfdFiles } from './package';
