import { useEffect, useState } from 'preact/hooks';
import { apiCall, configStore, online } from './api.ts';
import { loadBrand, useBrand } from './brand.ts';
import { Link, PageHeading, setOrganisations, useOrgName } from './components/ui.tsx';
import { availableSlots, type FeatureSlot } from './features.ts';
import type { MessageKey } from './i18n/ja.ts';
import { lang, switchLanguage, useT } from './i18n/lang.ts';
import { lazyPage } from './lazy.tsx';
import { EventsPage } from './pages/events.tsx';
import { IncidentPage } from './pages/incident.tsx';
import { InboxPage, IncidentsPage, QueuePage } from './pages/lists.tsx';
import { ReportPage } from './pages/report.tsx';
import { CallbackPage, SignInPage } from './pages/sign-in.tsx';
import { navigate, type Route, route } from './router.ts';
import { menuCurrent } from './routes.ts';
import { brandSector, sessionOrg } from './sector-choices.ts';
import { sectorName } from './sectors.ts';
import { issuerRoles, type Role, type Session, session, signOut } from './session.ts';
import { useStore } from './store.ts';

// Pages beyond the incident relay, each group its own chunk (see lazy.tsx).
const AdvisoriesPage = lazyPage(() => import('./pages/advisories.tsx').then((m) => m.AdvisoriesPage));
const AdvisoryPage = lazyPage(() => import('./pages/advisory.tsx').then((m) => m.AdvisoryPage));
const IssueAdvisoryPage = lazyPage(() =>
  import('./pages/advisory-issue.tsx').then((m) => m.IssueAdvisoryPage),
);
const BoardPage = lazyPage(() => import('./pages/board.tsx').then((m) => m.BoardPage));
const PublicBoardPage = lazyPage(() => import('./pages/board.tsx').then((m) => m.PublicBoardPage));
const AuditPage = lazyPage(() => import('./pages/audit.tsx').then((m) => m.AuditPage));
const AuditStreamPage = lazyPage(() => import('./pages/audit.tsx').then((m) => m.AuditStreamPage));
const AuditCompliancePage = lazyPage(() =>
  import('./pages/audit-compliance.tsx').then((m) => m.AuditCompliancePage),
);
const DirectoryPage = lazyPage(() => import('./pages/directory.tsx').then((m) => m.DirectoryPage));
const OrganizationPage = lazyPage(() => import('./pages/directory.tsx').then((m) => m.OrganizationPage));
const ContactCheckPage = lazyPage(() => import('./pages/directory.tsx').then((m) => m.ContactCheckPage));
const DrillsPage = lazyPage(() => import('./pages/drills.tsx').then((m) => m.DrillsPage));
const DrillReportPage = lazyPage(() => import('./pages/drills.tsx').then((m) => m.DrillReportPage));
const ExercisesPage = lazyPage(() => import('./pages/exercises.tsx').then((m) => m.ExercisesPage));
const ExerciseReportPage = lazyPage(() => import('./pages/exercises.tsx').then((m) => m.ExerciseReportPage));
const SurveysPage = lazyPage(() => import('./pages/surveys.tsx').then((m) => m.SurveysPage));
const SurveyPage = lazyPage(() => import('./pages/surveys.tsx').then((m) => m.SurveyPage));
const SurveyResultsPage = lazyPage(() =>
  import('./pages/survey-results.tsx').then((m) => m.SurveyResultsPage),
);
const NewSurveyPage = lazyPage(() => import('./pages/survey-builder.tsx').then((m) => m.NewSurveyPage));
const EditSurveyPage = lazyPage(() => import('./pages/survey-builder.tsx').then((m) => m.EditSurveyPage));
const ActivitiesPage = lazyPage(() => import('./pages/activities.tsx').then((m) => m.ActivitiesPage));
const AnnualReportPage = lazyPage(() => import('./pages/annual-report.tsx').then((m) => m.AnnualReportPage));
const PlanPage = lazyPage(() => import('./pages/annual-report.tsx').then((m) => m.PlanPage));
const SharePage = lazyPage(() => import('./pages/share.tsx').then((m) => m.SharePage));
// The API reference and its renderer (Scalar) are loaded only when the page is opened.
const ApiReferencePage = lazyPage(() => import('./pages/api-reference.tsx').then((m) => m.ApiReferencePage));

/** Each role's menu; the first entry is its home page. */
const menus: Record<Role, { to: Route; label: MessageKey }[]> = {
  member: [
    { to: { name: 'incidents' }, label: 'nav.myIncidents' },
    { to: { name: 'report' }, label: 'nav.report' },
  ],
  secretariat: [
    { to: { name: 'queue' }, label: 'nav.queue' },
    { to: { name: 'incidents' }, label: 'nav.incidents' },
  ],
  ministry: [
    { to: { name: 'inbox' }, label: 'nav.inbox' },
    { to: { name: 'incidents' }, label: 'nav.incidents' },
  ],
  nisc: [
    { to: { name: 'inbox' }, label: 'nav.inbox' },
    { to: { name: 'incidents' }, label: 'nav.incidents' },
  ],
  auditor: [{ to: { name: 'incidents' }, label: 'nav.incidents' }],
};

/** Which roles may open a page at all (the API decides the rest). */
const pageRoles: Partial<Record<Route['name'], readonly Role[]>> = {
  report: ['member'],
  queue: ['secretariat'],
  inbox: ['ministry', 'nisc'],
  events: ['member', 'secretariat', 'auditor'],
  audit: ['auditor'],
  auditStream: ['auditor'],
  auditCompliance: ['auditor'],
  drills: ['secretariat', 'ministry', 'nisc'],
  drill: ['secretariat', 'ministry', 'nisc', 'auditor'],
  directory: ['secretariat'],
  organization: ['secretariat'],
  share: ['secretariat'],
  contactCheck: ['secretariat', 'auditor'],
  issueAdvisory: issuerRoles,
  newSurvey: issuerRoles,
  editSurvey: issuerRoles,
  activities: ['secretariat'],
  annualReport: ['secretariat', 'ministry', 'nisc', 'auditor'],
  plan: ['secretariat'],
};

/** Pages anyone may open without signing in. */
const publicPages: readonly Route['name'][] = ['signIn', 'callback', 'publicBoard', 'apiReference'];

/** The console: header, role menu, and the page of the current route. */
export function App() {
  const t = useT();
  const current = useStore(route);
  const me = useStore(session);
  const config = useStore(configStore);
  const isOnline = useStore(online);
  const brand = useBrand();
  // Once per sign-in: the title's sector (a member's or secretariat's: brand.ts) and the directory's names.
  useEffect(() => {
    void loadBrand(me, config?.sectors ?? []);
    void loadOrgNames(me);
  }, [me, config]);

  // Signed out (or the token expired): to the sign-in page, coming back to the same page afterwards is
  // not worth a stored "next" here: every role's home lists what needs doing.
  useEffect(() => {
    if (!me && !publicPages.includes(current.name)) navigate({ name: 'signIn' }, { replace: true });
    if (me && (current.name === 'home' || current.name === 'signIn')) {
      const home = menus[me.role][0];
      if (home) navigate(home.to, { replace: true });
    }
  }, [me, current]);

  return (
    <>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="top">
        <div class="brand">{brand}</div>
        <div class="tools">
          <LangSwitch />
          {me && config && (
            <>
              <UserLine session={me} />
              <button type="button" class="secondary small" onClick={() => signOut(config)}>
                {t('app.signOut')}
              </button>
            </>
          )}
        </div>
      </header>
      {me && <Menu session={me} current={current} />}
      {!isOnline && (
        <div class="banner" role="status">
          {t('app.offline')}
        </div>
      )}
      <main id="main">
        <Page current={current} session={me} />
      </main>
    </>
  );
}

function LangSwitch() {
  const t = useT();
  const current = useStore(lang);
  const other = current === 'ja' ? 'en' : 'ja';
  return (
    <button
      type="button"
      class="secondary small"
      lang={other}
      title={t('app.lang.switchLabel')}
      onClick={() => void switchLanguage(other)}
    >
      {t('app.lang.switch')}
    </button>
  );
}

/**
 * The names of the organisations the chain sees, from the directory (GET /directory/organizations): config.json
 * names those the deployment started with, not those registered since (in AWS, every sector's but the
 * deployer's directory). A member lists its own organisation, its secretariat, its ministry and NISC.
 */
async function loadOrgNames(me: Session | null): Promise<void> {
  if (me === null) return;
  try {
    const { items } = await apiCall<{ items: { org: string; name: { ja: string; en: string } }[] }>(
      'GET',
      '/directory/organizations',
    );
    setOrganisations(items.map((o) => ({ id: o.org, name: o.name })));
  } catch {
    // config.json's names, and ids for the rest: a page still works without them.
  }
}

function UserLine(props: { session: Session }) {
  const t = useT();
  const orgName = useOrgName();
  const config = useStore(configStore);
  const current = useStore(lang);
  const role = t(`role.${props.session.role}`);
  const org = sessionOrg(props.session);
  // NISC, an auditor or a ministry narrowed to one sector: say which (a member's is in the title).
  const narrowed = brandSector(props.session) === null ? props.session.sector : undefined;
  const who = [
    org ? orgName(org) : undefined,
    narrowed ? sectorName(config?.sectors, narrowed, current) : undefined,
  ].filter((x): x is string => x !== undefined);
  return (
    <span class="user">
      {who.length
        ? t('app.signedInAs', { role, org: who.join(current === 'ja' ? '・' : ', ') })
        : t('app.signedInAsRole', { role })}
    </span>
  );
}

function Menu(props: { session: Session; current: Route }) {
  const t = useT();
  const config = useStore(configStore);
  const [slots, setSlots] = useState<FeatureSlot[]>([]);
  useEffect(() => {
    if (!config) return;
    void availableSlots(props.session.role, config.apiUrl, props.session.token).then(setSlots);
  }, [props.session, config]);
  const currentOf = menuCurrent(
    [
      ...menus[props.session.role].map((item) => item.to.name),
      ...slots.flatMap((s) => (s.page ? [s.page.name] : [])),
    ],
    props.current.name,
  );
  return (
    <nav class="menu" aria-label={t('app.nav')}>
      <ul>
        {menus[props.session.role].map((item) => (
          <li key={item.label}>
            <Link to={item.to} aria-current={currentOf(item.to.name)}>
              {t(item.label)}
            </Link>
          </li>
        ))}
        {/* Advisories, board, drills, directory and audit slot in here once their API and page exist. */}
        {slots.map((slot) => (
          <li key={slot.id} data-slot={slot.id}>
            {slot.page && (
              <Link to={slot.page} aria-current={currentOf(slot.page.name)}>
                {t(slot.label)}
              </Link>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Page(props: { current: Route; session: Session | null }) {
  const { current, session: me } = props;
  if (current.name === 'callback') return <CallbackPage />;
  if (current.name === 'publicBoard') return <PublicBoardPage />;
  if (current.name === 'apiReference') return <ApiReferencePage />;
  if (!me) return <SignInPage />;
  const allowed = pageRoles[current.name];
  if (allowed && !allowed.includes(me.role)) return <NotFound />;
  switch (current.name) {
    case 'home':
    case 'signIn':
      return null;
    case 'report':
      return <ReportPage session={me} />;
    case 'incidents':
      return <IncidentsPage session={me} />;
    case 'incident':
      return <IncidentPage key={current.id} id={current.id} session={me} />;
    case 'events':
      return <EventsPage key={current.id} id={current.id} />;
    case 'queue':
      return <QueuePage />;
    case 'inbox':
      return <InboxPage session={me} />;
    case 'audit':
      return <AuditPage />;
    case 'auditStream':
      return <AuditStreamPage key={current.id} id={current.id} />;
    case 'auditCompliance':
      return <AuditCompliancePage />;
    case 'drills':
      return <DrillsPage session={me} />;
    case 'drill':
      return <DrillReportPage key={current.id} id={current.id} />;
    case 'exercises':
      return <ExercisesPage />;
    case 'exercise':
      return <ExerciseReportPage key={current.id} id={current.id} />;
    case 'directory':
      return <DirectoryPage />;
    case 'organization':
      return <OrganizationPage key={current.org} org={current.org} />;
    case 'share':
      return <SharePage key={current.id} id={current.id} />;
    case 'contactCheck':
      return <ContactCheckPage key={current.id} id={current.id} />;
    case 'advisories':
      return <AdvisoriesPage session={me} />;
    case 'issueAdvisory':
      return <IssueAdvisoryPage />;
    case 'advisory':
      return <AdvisoryPage key={current.id} id={current.id} session={me} />;
    case 'board':
      return <BoardPage />;
    case 'surveys':
      return <SurveysPage session={me} />;
    case 'newSurvey':
      return <NewSurveyPage />;
    case 'editSurvey':
      return <EditSurveyPage key={current.id} id={current.id} />;
    case 'survey':
      return <SurveyPage key={current.id} id={current.id} session={me} />;
    case 'surveyResults':
      return <SurveyResultsPage key={current.id} id={current.id} session={me} />;
    case 'activities':
      return <ActivitiesPage />;
    case 'annualReport':
      return <AnnualReportPage session={me} />;
    case 'plan':
      return <PlanPage key={`${current.sector}/${current.fy}`} sector={current.sector} fy={current.fy} />;
    case 'notFound':
      return <NotFound />;
    default: {
      const _never: never = current;
      return _never;
    }
  }
}

function NotFound() {
  const t = useT();
  return (
    <section>
      <PageHeading>{t('app.notFound')}</PageHeading>
      <p>{t('app.notFound.body')}</p>
    </section>
  );
}
