<?php
// The real-Moodle test's own category and courses for kontur_recordings, created by
// Moodle's own API (create_course: contexts, sections, caches as Moodle makes them).
// Idempotent: what exists already (by idnumber / shortname) is reused. Prints JSON:
// {"category": id, "courses": {"KTRM-1": id, ...}}.
//   php tests/moodle/kontur_courses.php <moodle dir> <count>
define('CLI_SCRIPT', true);
require($argv[1] . '/config.php');
require_once($CFG->dirroot . '/course/lib.php');

$count = (int)($argv[2] ?? 3);
$category = $DB->get_record('course_categories', ['idnumber' => 'ktalk-real-moodle-test']);
if (!$category) {
    $category = core_course_category::create([
        'name' => 'Kontur.Talk: проверка публикации записей',
        'idnumber' => 'ktalk-real-moodle-test',
        'parent' => 0,
    ]);
}
$courses = [];
for ($n = 1; $n <= $count; $n++) {
    $shortname = "KTRM-$n";
    $course = $DB->get_record('course', ['shortname' => $shortname]);
    if (!$course) {
        $course = create_course((object)[
            'category' => $category->id,
            'fullname' => "Записи Контур.Толк, проверка $n",
            'shortname' => $shortname,
            'format' => 'topics',
            'numsections' => 3,
        ]);
    }
    $courses[$shortname] = (int)$course->id;
}
echo json_encode(['category' => (int)$category->id, 'courses' => $courses]), "\n";
