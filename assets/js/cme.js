// Progressive enhancement only: every page works without this file.
import { initAll as initGovukFrontend } from './govuk-frontend.min.js'
import { initAll as initMojFrontend } from './moj-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initGovukFrontend()
initMojFrontend()
// The session timeout warning reads its settings from the hmrc-timeout-dialog meta tag.
if (window.HMRCFrontend) {
  window.HMRCFrontend.initAll()
}
