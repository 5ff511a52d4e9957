#!/usr/bin/env bash
# Writes the resume fixtures of crates/resumes/tests/fixtures/: fourteen resumes over several
# roles (backend, frontend, full-stack, data science, data engineering, DevOps, product,
# design, sales, iOS, Android, QA, Java, a graduate), written below as plain text (two as HTML,
# for a table and a hyperlink), each converted by LibreOffice (headless) to DOCX and to PDF; and
# encrypted.pdf, one of them protected by a password with qpdf.
#
# What each resume holds (emails, phones, skills, years of experience as of 2026-06-01) is
# written by hand in crates/resumes/tests/fixtures/expected.toml: change both together.
# Installs LibreOffice Writer and qpdf from Debian when they are missing. The generated files
# are committed (each well under 60 KB); run this again only to change the fixtures.
set -euo pipefail
cd "$(dirname "$0")/.."
out=crates/resumes/tests/fixtures
limit=$((60 * 1024))

fail() {
  echo "make-resume-fixtures: $1" >&2
  exit 1
}

missing=()
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
if [ "${#missing[@]}" != 0 ]; then
  command -v apt-get >/dev/null 2>&1 || fail "${missing[*]} missing and apt-get is not available to install them"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "${missing[*]} missing; install them as root"
    sudo="sudo"
  fi
  echo "make-resume-fixtures: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
    || { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } \
    || fail "apt-get could not install ${missing[*]}"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$work/src"
mkdir -p "$src" "$work/out"

cat >"$src/backend_go.txt" <<'EOF'
Daniel Okafor
Senior Backend Engineer
daniel.okafor@example.com | +1 (415) 555-0132 | github.com/dokafor
Oakland, CA

SUMMARY
Backend engineer focused on payments infrastructure and reliable
distributed systems.

EXPERIENCE
Senior Backend Engineer, Ledgerly
Jan 2021 – Present
• Designed the settlement service in Go and PostgreSQL, processing 2M
  transactions a day
• Cut p99 latency of the payments API by 45% by introducing Redis caching
• Led the migration of 30 services to Kubernetes with Helm charts

Backend Engineer, Parcelwise
Mar 2017 – Dec 2020
• Built REST APIs and gRPC services for parcel tracking in Go and Python
• Introduced Kafka for event streaming, replacing nightly batch jobs
• Mentored 4 junior engineers

Software Engineer, Brightlane Software
Jun 2014 – Feb 2017
• Maintained a Django application backed by MySQL
• Wrote integration tests with pytest; coverage went from 40% to 85%

EDUCATION
B.S. Computer Science, University of Illinois, 2010 – 2014

SKILLS
Languages: Go, Python, SQL
Infrastructure: Kubernetes, Docker, Terraform, AWS
Data: PostgreSQL, MySQL, Redis, Kafka
EOF

cat >"$src/frontend_react.txt" <<'EOF'
PRIYA NAIR
Frontend Developer | London
priya.nair@example.org · +44 20 7946 0123
https://priyanair.dev

PROFILE
Frontend developer who cares about accessibility and fast, well-tested
interfaces.

PROFESSIONAL EXPERIENCE
Frontend Developer — Cobalt Health
07/2021 - present
- Rebuilt the patient portal in React and TypeScript; bounce rate fell by
  18%
- Set up Storybook and a design system shared by 5 product teams
- Raised the Lighthouse accessibility score from 71 to 98 (WCAG 2.1 AA)

Junior Web Developer — Pixelmint Agency
2019-03 – 2021-06
- Built marketing sites with Vue.js, Sass and webpack for 20+ clients
- Wrote unit tests with Jest and end-to-end tests with Cypress

TECHNICAL SKILLS
JavaScript, TypeScript, React, Redux, Next.js, Vue.js, HTML, CSS, Sass,
Jest, Cypress, Storybook, Figma, Git

EDUCATION
BA Digital Media, Goldsmiths, University of London — 2015 - 2018
EOF

cat >"$src/data_scientist.txt" <<'EOF'
Marta Kowalczyk
Data Scientist
marta.kowalczyk@example.net
Phone: +48 601 234 567
linkedin.com/in/martakowalczyk

Summary
Data scientist with experience in forecasting, experimentation and NLP
for e-commerce.

Work History
Senior Data Scientist, Shopwave
April 2022 to Present
• Built demand forecasting models with XGBoost and LightGBM, reducing
  stockouts by 23%
• Designed the A/B testing platform used for 150+ experiments a year
• Deployed models with MLflow and Airflow on Databricks

Data Scientist, Northwind Analytics
September 2018 to March 2022
• Trained NLP models in PyTorch to classify 1M support tickets with 92%
  accuracy
• Built dashboards in Tableau for the sales team

Teaching Assistant (part-time), Warsaw University of Technology
October 2017 to June 2019
• Taught statistics and R to 60 undergraduate students

Skills & Tools
Python, R, SQL, pandas, NumPy, scikit-learn, PyTorch, TensorFlow, Spark,
Tableau, Git

Education
MSc Applied Mathematics, Warsaw University of Technology, 2016 – 2018
EOF

cat >"$src/devops_sre.txt" <<'EOF'
Lucas Ferreira
Site Reliability Engineer
lucas.ferreira@example.com | +55 11 98765-4321
https://github.com/lferreira

CORE COMPETENCIES
Kubernetes, Terraform, Ansible, AWS, Google Cloud, Prometheus, Grafana,
Linux, Bash, Python, Go, Jenkins, GitLab CI, Helm, Argo CD

EMPLOYMENT HISTORY
Staff SRE — Cloudfront Systems (2019 – Now)
- Run 14 Kubernetes clusters on AWS and GCP serving 40k requests per
  second
- Cut monthly cloud spend by $120k with Terraform-managed autoscaling
- Built the on-call process with PagerDuty; pages per week fell from 35
  to 6

DevOps Engineer — Mercado Digital (2016 - 2019)
- Moved 60 services from VMs to Docker and Kubernetes
- Wrote Ansible playbooks and Jenkins pipelines for every team

Freelance Infrastructure Consultant (2018 - 2020)
- Designed CI/CD with GitLab CI for three startups

Systems Administrator — Rede Uni (2013 - 2016)
- Administered 200 Linux servers and their monitoring

EDUCATION
Tecnólogo em Redes de Computadores, FATEC São Paulo, 2010 – 2013
EOF

cat >"$src/product_manager.txt" <<'EOF'
Sofia Lindqvist
Senior Product Manager
sofia.lindqvist@example.se   +46 70 123 45 67
www.linkedin.com/in/sofialindqvist

About Me
Product manager who turns research into roadmaps. I have led B2B SaaS
products from discovery to launch.

Career
Senior Product Manager, Fintera
Jan. 2020 – Present
• Own the product roadmap for invoicing, used by 12,000 businesses
• Ran product discovery with 40 customer interviews; shipped self-serve
  onboarding that lifted activation by 27%
• Defined OKRs with engineering and design; wrote PRDs and user stories
  in Jira and Confluence

Product Manager, Tradeloop
Feb 2016 – Dec 2019
• Launched the go-to-market plan for the mobile app with marketing
• Set up product analytics in Amplitude and ran A/B tests on pricing
• Worked in Scrum with two engineering teams

Education
MSc Industrial Engineering and Management, KTH, 2014 - 2016

Skills
Product Strategy, Roadmapping, Stakeholder Management, SQL, Amplitude,
Mixpanel, Figma, Jira
EOF

cat >"$src/ux_designer.txt" <<'EOF'
Amara Mensah
Product Designer — Accra, Ghana
amara@mensah.design · +233 24 555 0199
dribbble.com/amaramensah · behance.net/amensah

Hi! I design calm, accessible products for health and finance.

Where I've Worked
Lead Product Designer, Kasa Health
Mar 2019 — Present
• Created the design system in Figma used across 3 apps and 25 designers
  and engineers
• Ran usability testing with 48 patients; task success rose from 62% to
  91%
• Built interactive prototypes in Framer for investor demos

UX Designer, Bluepay
Aug 2015 — Feb 2019
• Led user research and journey mapping for merchant onboarding
• Wireframing and visual design for web and mobile, handed off in Zeplin

My Toolbox
Figma, Sketch, Adobe XD, Photoshop, Illustrator, Miro, Framer, Zeplin,
Prototyping, Typography, Interaction Design

Schooling
BFA Graphic Design, KNUST, 2011–2015
EOF

cat >"$src/sales_ae.txt" <<'EOF'
Marcus Bell
Enterprise Account Executive
Chicago, IL · (312) 555-0175 · marcus.bell@example.com
linkedin.com/in/marcusbell

PROFESSIONAL SUMMARY
Quota-carrying enterprise seller with a record of closing six-figure
SaaS deals.

EXPERIENCE
Enterprise Account Executive, Vantage Cloud
June 2020 - Current
• Closed $4.2M in new annual recurring revenue in 2023, 136% of quota
• Ran complex sales cycles using MEDDIC with 8 to 12 stakeholders
• Kept a clean pipeline in Salesforce and forecast within 5% each quarter

Account Executive, Brightcall
May 2017 - May 2020
• Prospecting and cold calling into mid-market accounts; booked 25
  meetings a month
• President's Club 2018 and 2019

Sales Development Representative, Brightcall
Jan 2015 - Apr 2017
• Lead generation with LinkedIn Sales Navigator and HubSpot sequences

KEY SKILLS
B2B Sales, SaaS Sales, Negotiation, Account Management,
Pipeline Management, Salesforce, HubSpot, Gong

EDUCATION
BA Communications, DePaul University, 2010 - 2014

CERTIFICATIONS
Challenger Sales Certification, 2019
EOF

cat >"$src/mobile_ios.txt" <<'EOF'
Kenji Watanabe
iOS Developer
kenji.watanabe@example.jp | +81 90 1234 5678 | kenjiw.dev

Experience
Senior iOS Engineer at Hoshi Pay
09/2021 – present
- Rewrote the checkout flow in SwiftUI, cutting crash rate by 60%
- Added offline mode with Core Data and a background sync
- Automated releases with Fastlane and TestFlight; release time went
  from 2 days to 2 hours

iOS Developer at Tabi Travel
Mar '19 – Aug '21
- Maintained an app with 1.5M monthly users, written in Swift and
  Objective-C with UIKit
- Integrated Firebase analytics and push notifications

Junior Mobile Developer at Appworks Tokyo
Apr '17 – Feb '19
- Built small apps in Swift and Android prototypes in Kotlin

Projects
Kana Cards — a flashcard app in SwiftUI with 10k downloads (2020 – 2022)

Skills
Swift, SwiftUI, UIKit, Objective-C, Core Data, Xcode, Fastlane, Firebase,
Kotlin, Git

Education
BEng Information Engineering, Osaka University (2013 – 2017)
EOF

cat >"$src/qa_engineer.txt" <<'EOF'
Olena Shevchenko
QA Automation Engineer
olena.shevchenko@example.com
Mobile: +380 67 123 4567
https://www.linkedin.com/in/olenashevchenko

QUALIFICATIONS SUMMARY
QA engineer with a strong background in test automation for web and
mobile products.

EXPERIENCE
QA Automation Engineer | Flowdesk
05.2021 – present
* Built a Playwright and TypeScript suite of 1,400 tests that runs in 12
  minutes
* Added API testing with Postman and contract tests to the CI/CD
  pipeline
* Reduced escaped defects by 35% in one year

QA Engineer | Retailo
08.2018 – 04.2021
* Manual testing and regression testing for the Android and iOS apps
* Automated smoke tests with Selenium WebDriver and Java (TestNG)
* Load testing with JMeter before Black Friday, at 5,000 concurrent users

Junior Tester | Softline
09.2016 – 07.2018
* Wrote test cases in TestRail and reported bugs in Jira

EDUCATION
BSc Software Engineering, Kyiv Polytechnic Institute, 2012–2016

TOOLS
Playwright, Cypress, Selenium, Appium, Postman, JMeter, TestRail, Jira,
Git, Java, Python
EOF

cat >"$src/fullstack_js.txt" <<'EOF'
Tomás Herrera
Full-Stack Developer
tomas.herrera@example.com / +34 612 345 678 / github.com/tomash

Experience:
Full-Stack Developer, Rutas Logistics — January 2018 - present
  • Built the dispatch dashboard with React, Node.js and Express on
    PostgreSQL
  • Moved deployments to Docker on AWS, cutting release time from 1
    hour to 10 minutes
  • Introduced GraphQL for the mobile team

Freelance Web Developer — 2016 to 2019
  • Delivered 15 WordPress and Laravel sites for small businesses

Web Developer, Agencia Norte — 2014 to 2018
  • PHP and MySQL back ends, jQuery front ends

Education:
Grado en Ingeniería Informática, Universidad de Sevilla, 2010 to 2014

Skills: JavaScript, TypeScript, Node.js, Express, React, GraphQL,
PostgreSQL, MySQL, PHP, Laravel, Docker, AWS, Git
EOF

cat >"$src/data_engineer.txt" <<'EOF'
Ahmed Hassan
Data Engineer
ahmed.hassan@example.com, +20 100 123 4567

EXPERIENCE

Senior Data Engineer — Nile Commerce
Feb 2022 – Present
- Built batch and streaming pipelines with Apache Spark, Kafka and
  Airflow, processing 3 TB a day
- Modelled the warehouse in dbt on Snowflake; query costs fell by 30%

Data Engineer — Delta Telecom
Jul 2019 – Jan 2022
- Migrated on-premise Hadoop jobs to BigQuery on Google Cloud
- Wrote ETL jobs in Python and SQL

Data Analyst — Cairo Retail Group
- Reporting in Excel and Power BI for the finance team

TECHNICAL EXPERTISE
Python, SQL, Scala, Spark, Kafka, Airflow, dbt, Snowflake, BigQuery,
Hadoop, Docker, Terraform

EDUCATION
BSc Computer Engineering, Cairo University, 2013 - 2017
EOF

cat >"$src/java_backend.txt" <<'EOF'
Stefan Becker
Java Developer
Berlin · stefan.becker@example.de · +49 30 12345678 · stefanbecker.me

Objective
Experienced Java developer looking for a backend role in a product
company.

Employment
Java Developer, Autobahn Insurance AG, 2018 – present
- Develop microservices with Spring Boot and Hibernate
- Maintain the Oracle database schema and PL/SQL procedures
- Work with RabbitMQ and Kafka for messaging between services

Software Developer, Logi GmbH, 2012 – 2018
- Developed a warehouse management system in Java EE
- Wrote unit tests with JUnit and Mockito
- Took part in code reviews and Scrum ceremonies

Academic Background
Diplom-Informatiker, TU Dresden, 2006 – 2012

Technologies
Java, Kotlin, Spring Boot, Spring, Hibernate, Maven, Oracle Database,
PostgreSQL, RabbitMQ, Kafka, Docker, Jenkins, Git
EOF

cat >"$src/graduate_frontend.txt" <<'EOF'
Lena Vogel
lena.vogel@example.com
github.com/lenavogel

Education
BSc Computer Science, University of Vienna, 2022 – 2025

Projects
Study planner web app in Vue.js and Firebase (2024)
Thesis: accessibility audit of 30 Austrian e-government sites

Experience
Working Student, Frontend — Alpin Software
Oct 2024 – Mar 2025
- Fixed bugs in an Angular app and wrote Jest tests

Skills
JavaScript, TypeScript, Vue.js, Angular, HTML, CSS, Jest, Git
EOF

cat >"$src/android_dev.html" <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Chiara Romano</title></head><body>
<h1>Chiara Romano</h1>
<p>Android Developer</p>
<p>chiara.romano@example.it · +39 347 123 4567 ·
<a href="https://github.com/chiararomano">GitHub profile</a></p>
<h2>Work Experience</h2>
<p><b>Android Developer, Spesa Facile</b></p>
<p>Nov 2020 - Present</p>
<ul>
<li>Rebuilt the shopping app in Kotlin with Jetpack Compose; rating went from 3.9 to 4.6</li>
<li>Added offline support with Room and Kotlin Coroutines</li>
</ul>
<p><b>Mobile Developer, Viaggi Srl</b></p>
<p>Jun 2018 - Oct 2020</p>
<ul>
<li>Maintained Java and Kotlin Android apps with RxJava and Retrofit</li>
<li>Set up Firebase Crashlytics; crash-free sessions rose to 99.5%</li>
</ul>
<h2>Skills</h2>
<table border="1">
<tr><td>Languages</td><td>Kotlin, Java</td></tr>
<tr><td>Android</td><td>Jetpack Compose, Room, Retrofit, RxJava</td></tr>
<tr><td>Tools</td><td>Android Studio, Git, Firebase, Gradle</td></tr>
</table>
<h2>Education</h2>
<p>Laurea in Informatica, Università di Bologna, 2014 - 2018</p>
</body></html>
EOF

cat >"$src/security_engineer.html" <<'EOF'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Noah Fischer</title></head><body>
<p><b>Noah Fischer</b> · Application Security Engineer</p>
<p>noah.fischer@example.ch · +41 79 123 45 67 ·
<a href="https://www.linkedin.com/in/noahfischer">LinkedIn</a></p>
<h2>Summary</h2>
<p>Security engineer who helps product teams ship safely: threat modelling, code review and
penetration testing of web applications and APIs.</p>
<h2>Experience</h2>
<table border="1">
<tr><td>Apr 2020 – Present</td><td>Application Security Engineer, Helvetia Bank<br>
Ran penetration testing of 40 internal web applications with Burp Suite; fixed 120
findings with the teams. Rolled out OWASP ASVS checks in the CI/CD pipelines.</td></tr>
<tr><td>Sep 2016 – Mar 2020</td><td>Backend Developer, Alpensoft<br>
Built Java and Python services; added OAuth 2.0 single sign-on for 8 products.</td></tr>
</table>
<h2>Skills</h2>
<p>Penetration Testing, Burp Suite, OWASP, OAuth, Python, Java, Docker, Kubernetes, Linux</p>
<h2>Certifications</h2>
<p>OSCP (2021) · CISSP (2023)</p>
<h2>Education</h2>
<p>MSc Computer Science, ETH Zürich, 2011 – 2016</p>
</body></html>
EOF

profile="file://$work/profile"
convert() {
  local filter=$1 target=$2
  shift 2
  soffice -env:UserInstallation="$profile" --headless --infilter="$filter" \
    --convert-to "$target" --outdir "$work/out" "$@" >/dev/null 2>&1 \
    || fail "LibreOffice could not convert $* to $target"
}
convert 'Text (encoded):UTF8' 'docx:MS Word 2007 XML' "$src"/*.txt
convert 'Text (encoded):UTF8' 'pdf:writer_pdf_Export' "$src"/*.txt
convert 'HTML (StarWriter)' 'docx:MS Word 2007 XML' "$src"/*.html
convert 'HTML (StarWriter)' 'pdf:writer_pdf_Export' "$src"/*.html

# A password-protected copy of one of them (user password "secret", AES-256).
qpdf --encrypt secret owner-secret 256 -- "$work/out/backend_go.pdf" "$work/out/encrypted.pdf"

mkdir -p "$out"
count=0
for file in "$work"/out/*.docx "$work"/out/*.pdf; do
  size=$(stat -c %s "$file")
  [ "$size" -le "$limit" ] || fail "$(basename "$file") is $size bytes, over the $limit-byte limit for fixtures"
  cp "$file" "$out/"
  count=$((count + 1))
done
echo "make-resume-fixtures: wrote $count files to $out"
